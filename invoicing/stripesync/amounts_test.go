package stripesync_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/invoicing"
	"github.com/tallyhq/tally/invoicing/stripesync"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
)

// TestAmountsStripeCannotTake checks that an amount Stripe cannot take as
// an integer of minor units within its limit is never sent, rounded or
// wrapped: that invoice's sync fails with a recorded reason, and the
// pending-sync query leaves it out afterwards.
func TestAmountsStripeCannotTake(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		cases := []struct {
			name     string
			currency string
			lines    []line
			minor    []int64 // sent when not refused
			refused  string  // what the reason says; "" = sent
		}{
			{"an invoice of 92,233,720,368,547,758.08 USD (2^63 tokens at $0.01) is refused, not sent as −2^63 cents", "USD",
				[]line{{"Tokens", "92233720368547758.08"}}, nil, "beyond"},
			{"a 1e20 USD fee is refused, not wrapped", "USD", []line{{"Fee", "1e20"}}, nil, "beyond"},
			{"a 1e400 USD fee is refused, not sent as 0", "USD", []line{{"Fee", "1e400"}}, nil, "beyond"},
			{"a line in fractions of a cent is refused, not rounded", "USD", []line{{"Fee", "12.345"}}, nil, "whole number"},
			{"1,000,000.00 USD, one cent above Stripe's eight digits, is refused", "USD", []line{{"Fee", "1000000.00"}}, nil, "99999999"},
			{"a credit line beyond the limit is refused too", "USD", []line{{"Fee", "5.00"}, {"Credit", "-1000000.00"}}, nil, "line 2"},
			{"lines each within the limit that add up beyond it are refused", "USD",
				[]line{{"Fee", "999999.99"}, {"Other fee", "0.01"}}, nil, "add up to 100000000"},
			{"100,000,000 JPY is refused", "JPY", []line{{"Fee", "100000000"}}, nil, "99999999"},
			{"exactly 999,999.99 USD is sent, as 99,999,999 cents", "USD", []line{{"Fee", "999999.99"}}, []int64{99999999}, ""},
			{"exactly 99,999,999 JPY is sent", "JPY", []line{{"Fee", "99999999"}}, []int64{99999999}, ""},
			{"a large credit within the limit is sent", "USD", []line{{"Fee", "999999.99"}, {"Credit", "-999999.99"}, {"Fee", "1.00"}},
				[]int64{99999999, -99999999, 100}, ""},
		}
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				f := newFakeStripe(t)
				s := e.syncer(f.URL(), stripesync.Config{})
				inv := e.invoice(e.customer(fmt.Sprintf("limit-%d", i), c.currency, ""), c.lines...)
				_, err := s.Sync(e.ctx, e.tenantID, inv.ID)
				if c.refused == "" {
					if err != nil {
						t.Fatalf("sync: %v", err)
					}
					wantMirror(t, f, e, inv.ID, c.minor...)
					if got := e.get(inv.ID); got.StripeSyncError != nil {
						t.Errorf("a sent invoice records the sync error %q", *got.StripeSyncError)
					}
					return
				}
				if de, ok := domain.AsError(err); !ok || de.Kind != domain.KindConflict || de.Code != "stripe_amount_unsupported" || !strings.Contains(err.Error(), c.refused) {
					t.Fatalf("sync error = %v, want a stripe_amount_unsupported conflict saying %q", err, c.refused)
				}
				if n := len(f.log()); n != 0 {
					t.Fatalf("a refused invoice sent %d requests to Stripe: %v", n, ops(f.log()))
				}
				got := e.get(inv.ID)
				if got.StripeSyncError == nil || !strings.Contains(*got.StripeSyncError, c.refused) || got.StripeInvoiceID != nil {
					t.Fatalf("invoice records sync error %v and stripe id %v, want the reason and no id", got.StripeSyncError, got.StripeInvoiceID)
				}
				if n, err := s.SyncPending(e.ctx); err != nil || n != 0 || len(f.log()) != 0 {
					t.Errorf("SyncPending after the refusal synced %d (%v) with %d requests, want it left out", n, err, len(f.log()))
				}
			})
		}

		t.Run("a refused invoice whose lines become sendable is sent, and the reason cleared", func(t *testing.T) {
			f := newFakeStripe(t)
			s := e.syncer(f.URL(), stripesync.Config{})
			inv := e.invoice(e.customer("limit-fixed", "USD", ""), line{"Fee", "1e20"})
			if _, err := s.Sync(e.ctx, e.tenantID, inv.ID); err == nil {
				t.Fatal("a 1e20 fee was synced")
			}
			e.relines(inv, line{"Fee", "12.00"})
			if got := mustSync(t, s, e, inv.ID); got.StripeSyncError != nil {
				t.Errorf("the reason %q stayed after a sendable sync", *got.StripeSyncError)
			}
			wantMirror(t, f, e, inv.ID, 1200)
		})

		t.Run("finalizing a refused invoice clears the reason, so that it is checked again", func(t *testing.T) {
			f := newFakeStripe(t)
			s := e.syncer(f.URL(), stripesync.Config{})
			inv := e.invoice(e.customer("limit-final", "USD", ""), line{"Fee", "1e20"})
			if _, err := s.Sync(e.ctx, e.tenantID, inv.ID); err == nil {
				t.Fatal("a 1e20 fee was synced")
			}
			if got := e.finalize(inv); got.StripeSyncError != nil {
				t.Errorf("finalizing kept the reason %q", *got.StripeSyncError)
			}
			if _, err := s.SyncPending(e.ctx); err == nil || !strings.Contains(err.Error(), "beyond") {
				t.Errorf("SyncPending after finalizing = %v, want the refusal again", err)
			}
			if len(f.log()) != 0 || e.get(inv.ID).StripeSyncError == nil {
				t.Errorf("a finalized 1e20 invoice reached Stripe or lost its reason: %v", ops(f.log()))
			}
		})
	})
}

// TestPendingSyncDoesNotStarve checks that invoices that will never be sent
// (zero totals, refused amounts) cannot fill the pending-sync page: a newer
// invoice behind more than a page of them is still synced.
func TestPendingSyncDoesNotStarve(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		f := newFakeStripe(t)
		s := e.syncer(f.URL(), stripesync.Config{})
		sub := e.customer("starve", "USD", "")

		t.Run("101 older zero-total drafts do not hide a newer invoice", func(t *testing.T) {
			for range 101 {
				e.invoice(sub, line{"Fee", "5.00"}, line{"Credit", "-5.00"})
			}
			inv := e.invoice(sub, line{"Fee", "3.00"})
			if n, err := s.SyncPending(e.ctx); err != nil || n != 1 {
				t.Fatalf("SyncPending synced %d (%v), want the one newer invoice", n, err)
			}
			wantMirror(t, f, e, inv.ID, 300)
		})
		t.Run("101 older refused invoices do not hide a newer invoice once refused", func(t *testing.T) {
			var refused []invoicing.Invoice
			for range 101 {
				refused = append(refused, e.invoice(sub, line{"Fee", "1e20"}))
			}
			for _, inv := range refused {
				if _, err := s.Sync(e.ctx, e.tenantID, inv.ID); err == nil {
					t.Fatalf("%s was synced", inv.ID)
				}
			}
			inv := e.invoice(sub, line{"Fee", "4.00"})
			f.reset()
			if n, err := s.SyncPending(e.ctx); err != nil || n != 1 {
				t.Fatalf("SyncPending synced %d (%v), want the one newer invoice", n, err)
			}
			wantMirror(t, f, e, inv.ID, 400)
		})
	})
}

// TestAmountLimitAgainstStripeMock checks against stripe-mock (Stripe's
// OpenAPI description) that the largest amount Tally sends is accepted, and
// that a refused invoice makes no request at all.
func TestAmountLimitAgainstStripeMock(t *testing.T) {
	mock := startStripeMock(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		s := e.syncer(mock.URL, stripesync.Config{RequestTimeout: 10 * time.Second})
		mock.take()

		big := e.invoice(e.customer("mock-limit-over", "USD", ""), line{"Tokens", "92233720368547758.08"})
		if _, err := s.Sync(e.ctx, e.tenantID, big.ID); err == nil {
			t.Fatal("an invoice of 2^63 cents was synced")
		}
		if reqs := mock.take(); len(reqs) != 0 {
			t.Fatalf("a refused invoice sent %d requests to stripe-mock, the first %s %v", len(reqs), reqs[0].Op, reqs[0].Form)
		}

		inv := e.invoice(e.customer("mock-limit", "USD", ""), line{"Fee", "999999.99"}, line{"Credit", "-999999.99"}, line{"Fee", "0.50"})
		mustSync(t, s, e, inv.ID)
		var amounts []string
		for _, r := range mock.take() {
			if r.Status != 200 {
				t.Errorf("stripe-mock refused %s (%d): %v", r.Op, r.Status, r.Answer)
			}
			if r.Op == "POST /v1/invoiceitems" {
				amounts = append(amounts, r.Form.Get("amount"))
			}
		}
		if strings.Join(amounts, ",") != "99999999,-99999999,50" {
			t.Errorf("item amounts sent %v, want 99999999, -99999999, 50", amounts)
		}
	})
}
