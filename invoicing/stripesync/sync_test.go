package stripesync_test

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/invoicing"
	"github.com/tallyhq/tally/invoicing/stripesync"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
)

// wantMirror checks that a Tally invoice has exactly one Stripe invoice,
// recorded as its stripe_invoice_id, holding exactly one item per line in
// order with the amounts given (minor units) and the line's description, on
// the one Stripe customer of its Tally customer; and no stray items.
func wantMirror(t *testing.T, f *fakeStripe, e *env, id string, minor ...int64) stripeInvoice {
	t.Helper()
	inv := e.get(id)
	got := f.invoicesOf(id)
	if len(got) != 1 {
		t.Fatalf("%d Stripe invoices mirror %s, want exactly 1", len(got), id)
	}
	si := got[0]
	if inv.StripeInvoiceID == nil || *inv.StripeInvoiceID != si.ID {
		t.Errorf("Tally records stripe_invoice_id %v, want %s", inv.StripeInvoiceID, si.ID)
	}
	if len(si.Items) != len(inv.Lines) || len(minor) != len(inv.Lines) {
		t.Fatalf("Stripe invoice %s has %d items, Tally invoice %d lines (want amounts %v): %+v", si.ID, len(si.Items), len(inv.Lines), minor, si.Items)
	}
	for i, l := range inv.Lines {
		it := si.Items[i]
		if it.Position != strconv.Itoa(i) {
			t.Errorf("item %d has position %q", i, it.Position)
		}
		if it.Amount != minor[i] {
			t.Errorf("item %d amount %d, want %d (line %s %s)", i, it.Amount, minor[i], l.Amount, inv.Currency)
		}
		if !strings.HasPrefix(it.Description, l.Description+" (") || !strings.HasSuffix(it.Description, ")") {
			t.Errorf("item %d description %q does not explain line %q with its period", i, it.Description, l.Description)
		}
	}
	if n := f.strayItems(id); n != 0 {
		t.Errorf("%d Stripe items name %s but sit elsewhere", n, id)
	}
	cs := f.customersOf(inv.CustomerID)
	if len(cs) != 1 {
		t.Fatalf("%d Stripe customers for Tally customer %s, want 1", len(cs), inv.CustomerID)
	}
	if si.Customer != cs[0]["id"] {
		t.Errorf("Stripe invoice on customer %s, want %s", si.Customer, cs[0]["id"])
	}
	if si.Currency != strings.ToLower(string(inv.Currency)) {
		t.Errorf("Stripe invoice currency %q, want %q", si.Currency, strings.ToLower(string(inv.Currency)))
	}
	return si
}

// wantKeys checks that every write carried an idempotency key made from
// Tally's ids.
func wantKeys(t *testing.T, f *fakeStripe) {
	t.Helper()
	for _, r := range f.log() {
		if r.Method == "GET" {
			continue
		}
		if !strings.HasPrefix(r.Key, "tally-") {
			t.Errorf("%s %s sent Idempotency-Key %q, want one derived from Tally's ids", r.Method, r.Path, r.Key)
		}
	}
}

func mustSync(t *testing.T, s *stripesync.Syncer, e *env, id string) invoicing.Invoice {
	t.Helper()
	inv, err := s.Sync(e.ctx, e.tenantID, id)
	if err != nil {
		t.Fatalf("sync %s: %v", id, err)
	}
	return inv
}

// TestSyncMirrorsInvoices checks what a draft becomes in Stripe.
func TestSyncMirrorsInvoices(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		cases := []struct {
			name     string
			currency string
			lines    []line
			minor    []int64
		}{
			{"a USD draft becomes one Stripe draft with one item per line in cents, a credit as a negative item", "USD",
				[]line{{"Base fee", "19.00"}, {"API calls: 50000 × 0.001", "50.00"}, {"Credit for unused time: Base fee", "-2.50"}}, []int64{1900, 5000, -250}},
			{"a JPY draft is sent in whole yen, since the yen has no minor unit", "JPY",
				[]line{{"Base fee", "1500"}, {"Seats: 3 × 100", "300"}}, []int64{1500, 300}},
			{"a BHD draft is sent in fils, three decimals", "BHD",
				[]line{{"Base fee", "1.234"}}, []int64{1234}},
		}
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				f := newFakeStripe(t)
				s := e.syncer(f.URL(), stripesync.Config{})
				sub := e.customer(fmt.Sprintf("mirror-%d", i), c.currency, fmt.Sprintf("billing%d@example.com", i))
				inv := e.invoice(sub, c.lines...)
				got := mustSync(t, s, e, inv.ID)
				si := wantMirror(t, f, e, inv.ID, c.minor...)
				if got.StripeInvoiceID == nil || *got.StripeInvoiceID != si.ID || got.Status != invoicing.Draft {
					t.Errorf("Sync returned %v %s, want the draft with stripe id %s", got.StripeInvoiceID, got.Status, si.ID)
				}
				if si.Status != "draft" || si.Fields["auto_advance"] != false || si.Fields["pending_invoice_items_behavior"] != "exclude" ||
					si.Fields["collection_method"] != "charge_automatically" {
					t.Errorf("Stripe invoice %v, want a draft, auto_advance off, pending items excluded, charged automatically", si.Fields)
				}
				cus := f.customersOf(sub.customer.ID)[0]
				md := cus["metadata"].(map[string]any)
				if md["tally_tenant_id"] != e.tenantID || md["external_id"] != sub.customer.ExternalID || cus["email"] != sub.customer.Email {
					t.Errorf("Stripe customer %v lacks Tally's ids or the email", cus)
				}
				wantKeys(t, f)
				for _, r := range f.log("POST /v1/invoiceitems") {
					if r.Form.Get("invoice") != si.ID || r.Form.Get("period[start]") == "" {
						t.Errorf("item request %v not attached to %s with a period", r.Form, si.ID)
					}
				}
				if n := len(f.log("POST /v1/customers")); n != 1 {
					t.Errorf("%d customer creates, want 1", n)
				}
				t.Run("syncing again sends nothing new", func(t *testing.T) {
					f.reset()
					mustSync(t, s, e, inv.ID)
					wantMirror(t, f, e, inv.ID, c.minor...)
					for _, r := range f.log() {
						if r.Method != "GET" {
							t.Errorf("a second sync sent %s %s", r.Method, r.Path)
						}
					}
				})
			})
		}
		t.Run("a second invoice of the same customer reuses its Stripe customer", func(t *testing.T) {
			f := newFakeStripe(t)
			s := e.syncer(f.URL(), stripesync.Config{})
			sub := e.customer("two-invoices", "EUR", "")
			a, b := e.invoice(sub, line{"Fee", "1.00"}), e.invoice(sub, line{"Fee", "2.00"})
			mustSync(t, s, e, a.ID)
			mustSync(t, s, e, b.ID)
			wantMirror(t, f, e, a.ID, 100)
			wantMirror(t, f, e, b.ID, 200)
			if n := len(f.log("POST /v1/customers")); n != 1 {
				t.Errorf("%d customer creates for one customer, want 1", n)
			}
		})
		t.Run("send_invoice collection sets days_until_due", func(t *testing.T) {
			f := newFakeStripe(t)
			s := e.syncer(f.URL(), stripesync.Config{CollectionMethod: stripesync.SendInvoice, DaysUntilDue: 14})
			inv := e.invoice(e.customer("send-invoice", "USD", ""), line{"Fee", "5.00"})
			si := wantMirror(t, f, e, mustSync(t, s, e, inv.ID).ID, 500)
			if si.Fields["collection_method"] != "send_invoice" || si.Fields["days_until_due"] != 14 {
				t.Errorf("Stripe invoice %v, want send_invoice due in 14 days", si.Fields)
			}
		})
	})
}

// TestSyncRetriesFailures checks that timeouts, 429s and 5xx are retried
// with the same idempotency key, and that each invoice still ends with
// exactly one Stripe invoice holding exactly its lines.
func TestSyncRetriesFailures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		type inject struct {
			op   string
			nth  int
			kind string
		}
		cases := []struct {
			name   string
			faults []inject
		}{
			{"a timeout creating the customer, after Stripe made it, is retried without a second customer",
				[]inject{{"POST /v1/customers", 1, "timeout"}}},
			{"a timeout creating the invoice, after Stripe made it, is retried without a second invoice",
				[]inject{{"POST /v1/invoices", 1, "timeout"}}},
			{"a 429 on the second item is retried", []inject{{"POST /v1/invoiceitems", 2, "429"}}},
			{"a 500 on the first item is retried", []inject{{"POST /v1/invoiceitems", 1, "500"}}},
			{"a timeout on the last item, after Stripe made it, is retried without a second item",
				[]inject{{"POST /v1/invoiceitems", 3, "timeout"}}},
			{"a 500 then a 429 then a timeout on finalize are retried",
				[]inject{{"POST /v1/invoices/{id}/finalize", 1, "500"}, {"POST /v1/invoices/{id}/finalize", 2, "429"}, {"POST /v1/invoices/{id}/finalize", 3, "timeout"}}},
			{"a 500 listing customers by email is retried", []inject{{"GET /v1/customers", 1, "500"}}},
		}
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				f := newFakeStripe(t)
				for _, in := range c.faults {
					f.failAt(in.op, in.nth, in.kind)
				}
				s := e.syncer(f.URL(), stripesync.Config{MaxRetries: 3})
				inv := e.invoice(e.customer(fmt.Sprintf("retry-%d", i), "USD", fmt.Sprintf("r%d@example.com", i)),
					line{"Base fee", "19.00"}, line{"Usage", "0.42"}, line{"Credit", "-1.00"})
				mustSync(t, s, e, inv.ID)
				if !strings.Contains(c.name, "finalize") {
					wantMirror(t, f, e, inv.ID, 1900, 42, -100) // the draft, before any reconciling
				}
				e.finalize(inv)
				mustSync(t, s, e, inv.ID)
				si := wantMirror(t, f, e, inv.ID, 1900, 42, -100)
				if si.Status != "open" {
					t.Errorf("Stripe invoice %s, want open (finalized)", si.Status)
				}
				wantKeys(t, f)
				// Each faulted request was followed by a retry with the
				// same key (writes) that succeeded.
				for _, in := range c.faults {
					reqs := f.log(in.op)
					if len(reqs) <= in.nth {
						t.Fatalf("%s: %d requests, want a retry after the fault at #%d", in.op, len(reqs), in.nth)
					}
					failed, retry := reqs[in.nth-1], reqs[in.nth]
					if failed.Fault != in.kind || retry.Key != failed.Key {
						t.Errorf("%s: fault %q key %q, retried with key %q", in.op, failed.Fault, failed.Key, retry.Key)
					}
					if in.kind == "timeout" && retry.Method == "POST" && !retry.Replayed {
						t.Errorf("%s: the retry after a lost answer was not answered from Stripe's idempotency cache", in.op)
					}
				}
			})
		}
		t.Run("a 400 is not retried and is reported as a Stripe error", func(t *testing.T) {
			f := newFakeStripe(t)
			f.failAt("POST /v1/invoices", 1, "400")
			s := e.syncer(f.URL(), stripesync.Config{MaxRetries: 3})
			inv := e.invoice(e.customer("bad-request", "USD", ""), line{"Fee", "1.00"})
			_, err := s.Sync(e.ctx, e.tenantID, inv.ID)
			var se *stripesync.StripeError
			if !errors.As(err, &se) || se.Status != 400 || se.Attempts != 1 {
				t.Fatalf("err %v, want a StripeError with status 400 after 1 attempt", err)
			}
			if n := len(f.log("POST /v1/invoices")); n != 1 {
				t.Errorf("%d invoice creates, want 1 (no retry)", n)
			}
			f.clearFaults()
			mustSync(t, s, e, inv.ID)
			wantMirror(t, f, e, inv.ID, 100)
		})
		t.Run("a call failing every time gives up after MaxRetries retries", func(t *testing.T) {
			f := newFakeStripe(t)
			for n := 1; n <= 5; n++ {
				f.failAt("POST /v1/customers", n, "500")
			}
			s := e.syncer(f.URL(), stripesync.Config{MaxRetries: 2})
			inv := e.invoice(e.customer("always-500", "USD", ""), line{"Fee", "1.00"})
			_, err := s.Sync(e.ctx, e.tenantID, inv.ID)
			var se *stripesync.StripeError
			if !errors.As(err, &se) || se.Status != 500 || se.Attempts != 3 {
				t.Fatalf("err %v, want a StripeError with status 500 after 3 attempts", err)
			}
			if n := len(f.log("POST /v1/customers")); n != 3 {
				t.Errorf("%d attempts, want 3", n)
			}
			if got := e.get(inv.ID); got.StripeInvoiceID != nil {
				t.Errorf("stripe_invoice_id %v recorded though nothing was made", *got.StripeInvoiceID)
			}
		})
	})
}

// TestSyncResumesAfterAbort checks that a sync that stopped half-way (no
// retries: the first failure aborts it) is finished by the next
// SyncPending without a duplicate customer, invoice or item, also when
// Stripe has forgotten the idempotency keys (after 24 hours).
func TestSyncResumesAfterAbort(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		cases := []struct {
			name       string
			op         string
			nth        int
			kind       string
			finalized  bool // finalized in Tally before the first sync
			forgetKeys bool
		}{
			{name: "aborted when creating the customer timed out after Stripe made it", op: "POST /v1/customers", nth: 1, kind: "timeout"},
			{name: "aborted when creating the invoice timed out after Stripe made it", op: "POST /v1/invoices", nth: 1, kind: "timeout"},
			{name: "aborted at the second item by a timeout after Stripe made it", op: "POST /v1/invoiceitems", nth: 2, kind: "timeout"},
			{name: "aborted at the second item by a 500", op: "POST /v1/invoiceitems", nth: 2, kind: "500"},
			{name: "aborted at the third item of a finalized invoice", op: "POST /v1/invoiceitems", nth: 3, kind: "timeout", finalized: true},
			{name: "aborted at finalize by a timeout after Stripe finalized", op: "POST /v1/invoices/{id}/finalize", nth: 1, kind: "timeout", finalized: true},
			{name: "aborted at finalize by a timeout, resumed after Stripe forgot the keys", op: "POST /v1/invoices/{id}/finalize", nth: 1, kind: "timeout", finalized: true, forgetKeys: true},
			{name: "aborted at the second item, resumed after Stripe forgot the keys", op: "POST /v1/invoiceitems", nth: 2, kind: "timeout", forgetKeys: true},
			{name: "aborted when creating the invoice, resumed after Stripe forgot the keys", op: "POST /v1/invoices", nth: 1, kind: "timeout", forgetKeys: true},
			{name: "aborted when creating the customer, resumed after Stripe forgot the keys", op: "POST /v1/customers", nth: 1, kind: "timeout", forgetKeys: true},
		}
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				f := newFakeStripe(t)
				f.failAt(c.op, c.nth, c.kind)
				s := e.syncer(f.URL(), stripesync.Config{MaxRetries: -1})
				inv := e.invoice(e.customer(fmt.Sprintf("abort-%d", i), "USD", fmt.Sprintf("a%d@example.com", i)),
					line{"Base fee", "19.00"}, line{"Usage", "7.35"}, line{"Support", "3.00"})
				if c.finalized {
					inv = e.finalize(inv)
				}
				if _, err := s.Sync(e.ctx, e.tenantID, inv.ID); err == nil {
					t.Fatalf("the sync with a fault at %s #%d succeeded; it should have stopped", c.op, c.nth)
				}
				if c.forgetKeys {
					f.forgetKeys()
				}
				f.clearFaults()
				n, err := s.SyncPending(e.ctx)
				if err != nil || n != 1 {
					t.Fatalf("SyncPending resumed %d invoices (%v), want 1", n, err)
				}
				si := wantMirror(t, f, e, inv.ID, 1900, 735, 300)
				if want := map[bool]string{true: "open", false: "draft"}[c.finalized]; si.Status != want {
					t.Errorf("Stripe invoice %s, want %s", si.Status, want)
				}
				if !c.finalized {
					e.finalize(inv)
					if n, err := s.SyncPending(e.ctx); err != nil || n != 1 {
						t.Fatalf("SyncPending after finalizing synced %d (%v), want 1", n, err)
					}
					if si := wantMirror(t, f, e, inv.ID, 1900, 735, 300); si.Status != "open" {
						t.Errorf("Stripe invoice %s after finalizing, want open", si.Status)
					}
				}
				// Lines done before the abort were not sent again.
				if c.op == "POST /v1/invoiceitems" {
					first := f.log("POST /v1/invoiceitems")[0]
					for _, r := range f.log("POST /v1/invoiceitems")[1:] {
						if r.Key == first.Key {
							t.Errorf("the first line was sent again after the abort (key %s)", r.Key)
						}
					}
				}
				if n, err := s.SyncPending(e.ctx); err != nil || n != 0 {
					t.Errorf("a further SyncPending synced %d (%v), want nothing left", n, err)
				}
			})
		}
	})
}

// TestSyncFollowsLineChanges checks that a draft whose lines changed (a
// recompute) gets its items updated, deleted and added, never duplicated,
// and that items removed by hand in Stripe are made again.
func TestSyncFollowsLineChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		f := newFakeStripe(t)
		s := e.syncer(f.URL(), stripesync.Config{})
		inv := e.invoice(e.customer("changes", "USD", ""), line{"Base fee", "19.00"}, line{"Usage", "1.00"}, line{"Support", "3.00"})
		mustSync(t, s, e, inv.ID)
		wantMirror(t, f, e, inv.ID, 1900, 100, 300)

		t.Run("a changed amount updates its item and a removed line deletes its item", func(t *testing.T) {
			inv = e.relines(inv, line{"Base fee", "19.00"}, line{"Usage", "2.50"})
			f.reset()
			mustSync(t, s, e, inv.ID)
			wantMirror(t, f, e, inv.ID, 1900, 250)
			if len(f.log("POST /v1/invoiceitems/{id}")) != 1 || len(f.log("DELETE /v1/invoiceitems/{id}")) != 1 || len(f.log("POST /v1/invoiceitems")) != 0 {
				t.Errorf("requests %v, want one update and one delete", ops(f.log()))
			}
		})
		t.Run("a line added again at a freed position gets a new item under a fresh key", func(t *testing.T) {
			inv = e.relines(inv, line{"Base fee", "19.00"}, line{"Usage", "2.50"}, line{"Overage", "4.00"})
			f.reset()
			mustSync(t, s, e, inv.ID)
			wantMirror(t, f, e, inv.ID, 1900, 250, 400)
			creates := f.log("POST /v1/invoiceitems")
			if len(creates) != 1 || creates[0].Key != "tally-ii-"+inv.ID+"-2-g1" {
				t.Errorf("creates %v, want one with key tally-ii-%s-2-g1", creates, inv.ID)
			}
		})
		t.Run("an item deleted by hand in Stripe is made again", func(t *testing.T) {
			si := f.invoicesOf(inv.ID)[0]
			f.deleteItem(si.Items[0].ID)
			mustSync(t, s, e, inv.ID)
			wantMirror(t, f, e, inv.ID, 1900, 250, 400)
		})
		t.Run("finalizing freezes the Stripe invoice with the final lines", func(t *testing.T) {
			inv = e.relines(inv, line{"Base fee", "19.00"}, line{"Usage", "2.75"}, line{"Overage", "4.00"})
			e.finalize(inv)
			if n, err := s.SyncPending(e.ctx); err != nil || n != 1 {
				t.Fatalf("SyncPending synced %d (%v), want 1", n, err)
			}
			if si := wantMirror(t, f, e, inv.ID, 1900, 275, 400); si.Status != "open" {
				t.Errorf("Stripe invoice %s, want open", si.Status)
			}
		})
	})
}

func ops(rs []request) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Op
	}
	return out
}

// TestFinalizingAndSkipping checks that finalizing in Tally finalizes in
// Stripe exactly once, and what is never sent: zero totals, and paid or
// void invoices.
func TestFinalizingAndSkipping(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		f := newFakeStripe(t)
		s := e.syncer(f.URL(), stripesync.Config{})
		sub := e.customer("final", "USD", "")

		t.Run("finalizing a synced draft finalizes its Stripe invoice once, with collection on", func(t *testing.T) {
			inv := e.invoice(sub, line{"Fee", "12.00"})
			mustSync(t, s, e, inv.ID)
			e.finalize(inv)
			f.reset()
			if n, err := s.SyncPending(e.ctx); err != nil || n != 1 {
				t.Fatalf("SyncPending synced %d (%v), want 1", n, err)
			}
			fin := f.log("POST /v1/invoices/{id}/finalize")
			if len(fin) != 1 || fin[0].Key != "tally-fin-"+inv.ID || fin[0].Form.Get("auto_advance") != "true" {
				t.Errorf("finalize requests %+v, want one with key tally-fin-%s and auto_advance", fin, inv.ID)
			}
			if len(f.log("POST /v1/invoices", "POST /v1/invoiceitems")) != 0 {
				t.Errorf("finalizing created objects: %v", ops(f.log()))
			}
			if si := wantMirror(t, f, e, inv.ID, 1200); si.Status != "open" {
				t.Errorf("Stripe invoice %s, want open", si.Status)
			}
			f.reset()
			if n, err := s.SyncPending(e.ctx); err != nil || n != 0 {
				t.Errorf("a second SyncPending synced %d (%v), want 0", n, err)
			}
			mustSync(t, s, e, inv.ID)
			if len(f.log()) != 0 {
				t.Errorf("syncing a finalized, synced invoice called Stripe: %v", ops(f.log()))
			}
		})
		t.Run("an invoice finalized before its first sync is created and finalized in one pass", func(t *testing.T) {
			inv := e.finalize(e.invoice(sub, line{"Fee", "7.00"}, line{"Fee 2", "1.00"}))
			if n, err := s.SyncPending(e.ctx); err != nil || n != 1 {
				t.Fatalf("SyncPending synced %d (%v), want 1", n, err)
			}
			if si := wantMirror(t, f, e, inv.ID, 700, 100); si.Status != "open" {
				t.Errorf("Stripe invoice %s, want open", si.Status)
			}
		})
		t.Run("zero-total invoices are recorded but never sent", func(t *testing.T) {
			empty := e.invoice(sub)
			balanced := e.invoice(sub, line{"Fee", "5.00"}, line{"Credit", "-5.00"})
			f.reset()
			for _, inv := range []invoicing.Invoice{empty, balanced} {
				if got := mustSync(t, s, e, inv.ID); got.StripeInvoiceID != nil {
					t.Errorf("zero-total %s got stripe id %s", inv.ID, *got.StripeInvoiceID)
				}
			}
			e.finalize(empty)
			e.finalize(balanced)
			if n, err := s.SyncPending(e.ctx); err != nil || n != 0 {
				t.Errorf("SyncPending synced %d (%v), want 0", n, err)
			}
			if len(f.log()) != 0 || len(f.invoicesOf(empty.ID))+len(f.invoicesOf(balanced.ID)) != 0 {
				t.Errorf("zero-total invoices reached Stripe: %v", ops(f.log()))
			}
			for _, inv := range []invoicing.Invoice{empty, balanced} {
				if got := e.get(inv.ID); got.StripeInvoiceID != nil || got.Status != invoicing.Finalized {
					t.Errorf("zero-total invoice %s %s stripe %v, want finalized and unsynced", got.ID, got.Status, got.StripeInvoiceID)
				}
			}
		})
		t.Run("an invoice already in Stripe whose total drops to zero is kept in step", func(t *testing.T) {
			inv := e.invoice(sub, line{"Fee", "5.00"})
			mustSync(t, s, e, inv.ID)
			inv = e.relines(inv, line{"Fee", "5.00"}, line{"Credit", "-5.00"})
			e.finalize(inv)
			mustSync(t, s, e, inv.ID)
			if si := wantMirror(t, f, e, inv.ID, 500, -500); si.Status != "paid" {
				t.Errorf("Stripe invoice %s, want paid (a zero invoice is paid on finalization)", si.Status)
			}
		})
		t.Run("paid and void invoices are not sent", func(t *testing.T) {
			void := e.invoice(sub, line{"Fee", "3.00"})
			if _, err := e.inv.Transition(e.ctx, e.tenantID, void.ID, invoicing.Void); err != nil {
				t.Fatal(err)
			}
			paid := e.finalize(e.invoice(sub, line{"Fee", "4.00"}))
			if _, err := e.inv.Transition(e.ctx, e.tenantID, paid.ID, invoicing.Paid); err != nil {
				t.Fatal(err)
			}
			f.reset()
			mustSync(t, s, e, void.ID)
			mustSync(t, s, e, paid.ID)
			if len(f.log()) != 0 {
				t.Errorf("paid or void invoices reached Stripe: %v", ops(f.log()))
			}
		})
		t.Run("an unknown invoice is not found", func(t *testing.T) {
			_, err := s.Sync(e.ctx, e.tenantID, "inv_nope")
			if domain.KindOf(err) != domain.KindNotFound {
				t.Errorf("err %v, want not found", err)
			}
		})
		t.Run("another tenant's invoice is not found", func(t *testing.T) {
			inv := e.invoice(sub, line{"Fee", "3.00"})
			_, err := s.Sync(e.ctx, "ten_other", inv.ID)
			if domain.KindOf(err) != domain.KindNotFound {
				t.Errorf("err %v, want not found", err)
			}
		})
	})
}

// TestDisabledWithoutKey checks that without STRIPE_API_KEY nothing is sent
// and invoices stay unsynced.
func TestDisabledWithoutKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		s := stripesync.New(e.db, e.clock, e.inv, e.cs, stripesync.Config{}, nil, quiet)
		inv := e.invoice(e.customer("nokey", "USD", ""), line{"Fee", "3.00"})
		if s.Enabled() {
			t.Fatal("a Syncer without a key says it is enabled")
		}
		_, err := s.Sync(e.ctx, e.tenantID, inv.ID)
		if de, ok := domain.AsError(err); !ok || de.Kind != domain.KindConflict || de.Code != "stripe_disabled" {
			t.Errorf("Sync without a key: %v, want a stripe_disabled conflict", err)
		}
		if n, err := s.SyncPending(e.ctx); n != 0 || err != nil {
			t.Errorf("SyncPending without a key: %d, %v; want 0, nil", n, err)
		}
		if got := e.get(inv.ID); got.StripeInvoiceID != nil {
			t.Errorf("the invoice got a stripe id without a key")
		}
	})
}

// TestRateLimit checks that calls are spaced by the token bucket.
func TestRateLimit(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	e := newEnv(t, db)
	f := newFakeStripe(t)
	s := e.syncer(f.URL(), stripesync.Config{RatePerSecond: 20}) // burst 4
	var lines []line
	for i := 0; i < 10; i++ {
		lines = append(lines, line{fmt.Sprintf("Line %d", i), "1.00"})
	}
	inv := e.invoice(e.customer("rate", "USD", ""), lines...)
	mustSync(t, s, e, inv.ID)
	reqs := f.log()
	if len(reqs) != 12 {
		t.Fatalf("%d requests, want 12 (customer, invoice, 10 items)", len(reqs))
	}
	// 12 calls, 4 at once, then 20 a second: at least 8/20 s.
	if span := reqs[len(reqs)-1].At.Sub(reqs[0].At); span < 350*time.Millisecond {
		t.Errorf("12 calls took %v at 20/s with a burst of 4, want at least 400ms", span)
	}
}

// TestConfigFromEnv checks the STRIPE_* settings.
func TestConfigFromEnv(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		wantErr bool
	}{
		{"no settings disable Stripe", map[string]string{}, false},
		{"a key, a base and a secret are read", map[string]string{"STRIPE_API_KEY": "sk_test_1", "STRIPE_API_BASE": "http://localhost:12111", "STRIPE_WEBHOOK_SECRET": "whsec_1"}, false},
		{"a malformed STRIPE_MAX_RETRIES is an error", map[string]string{"STRIPE_MAX_RETRIES": "many"}, true},
		{"a zero STRIPE_RATE_PER_SECOND is an error", map[string]string{"STRIPE_RATE_PER_SECOND": "0"}, true},
		{"an unknown STRIPE_COLLECTION_METHOD is an error", map[string]string{"STRIPE_COLLECTION_METHOD": "cash"}, true},
		{"send_invoice with days until due is read", map[string]string{"STRIPE_COLLECTION_METHOD": "send_invoice", "STRIPE_DAYS_UNTIL_DUE": "14"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, k := range []string{"STRIPE_API_KEY", "STRIPE_API_BASE", "STRIPE_WEBHOOK_SECRET", "STRIPE_MAX_RETRIES", "STRIPE_RATE_PER_SECOND", "STRIPE_COLLECTION_METHOD", "STRIPE_DAYS_UNTIL_DUE"} {
				t.Setenv(k, c.env[k])
			}
			cfg, err := stripesync.ConfigFromEnv()
			if (err != nil) != c.wantErr {
				t.Fatalf("err %v, want error %v", err, c.wantErr)
			}
			if err == nil && (cfg.APIKey != c.env["STRIPE_API_KEY"] || cfg.APIBase != c.env["STRIPE_API_BASE"] || cfg.WebhookSecret != c.env["STRIPE_WEBHOOK_SECRET"]) {
				t.Errorf("config %+v does not hold the settings %v", cfg, c.env)
			}
		})
	}
}
