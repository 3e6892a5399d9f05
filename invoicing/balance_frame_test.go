package invoicing_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/tallyhq/tally/app/apptest"
	"github.com/tallyhq/tally/credits"
	"github.com/tallyhq/tally/invoicing"
)

// frameWorld is a world with one customer ("acme" on plan pro since Mar 1)
// whose live balance the test reads through the service's caches and
// compares with a computation that caches nothing.
type frameWorld struct {
	*world
	tenant, cust, sub string
}

func newFrameWorld(t *testing.T, s *apptest.Server) *frameWorld {
	w := newWorld(t, s)
	k, err := s.App.Services.Tenants.Authenticate(context.Background(), w.key)
	if err != nil {
		t.Fatal(err)
	}
	fw := &frameWorld{world: w, tenant: k.TenantID}
	fw.sub = w.subscribe("acme", "pro", "2026-03-01T00:00:00Z", "")
	fw.cust = w.customerOf(fw.sub)
	return fw
}

// render spells a balance out, every figure of every unit and grant.
func render(units []credits.UnitBalance) string {
	var b strings.Builder
	for _, u := range units {
		fmt.Fprintf(&b, "%s: granted %s used %s pending %s expired %s voided %s remaining %s\n",
			u.Unit, u.Granted, u.Used, u.Pending, u.Expired, u.Voided, u.Remaining)
		for _, g := range u.Grants {
			fmt.Fprintf(&b, "  %s %s: granted %s used %s pending %s expired %s voided %s remaining %s\n",
				g.Grant.ID, g.Status, g.Granted, g.Used, g.Pending, g.Expired, g.Voided, g.Remaining)
		}
	}
	return b.String()
}

// check reads the live balance (caches allowed) and fails unless it equals
// the balance computed with nothing cached at the same instant; it returns
// that balance.
func (fw *frameWorld) check(what string) string {
	fw.t.Helper()
	ctx := context.Background()
	inv := fw.s.App.Services.Invoicing
	live, err := inv.LiveCreditBalance(ctx, fw.tenant, fw.cust)
	if err != nil {
		fw.t.Fatalf("%s: live balance: %v", what, err)
	}
	full, err := invoicing.FullCreditBalance(ctx, inv, fw.tenant, fw.cust, live.At)
	if err != nil {
		fw.t.Fatalf("%s: full balance: %v", what, err)
	}
	if got, want := render(live.Units), render(full); got != want {
		fw.t.Fatalf("%s: the live balance\n%s is not the balance computed afresh\n%s", what, got, want)
	}
	return render(full)
}

func (fw *frameWorld) frameCached() bool {
	return invoicing.FrameCached(fw.s.App.Services.Invoicing, fw.tenant, fw.cust)
}

func TestBalanceFromACachedFrameEqualsAFullComputation(t *testing.T) {
	// acme: plan pro ($31 in advance + $1 an execution) since Mar 1, a $500
	// grant for everything and a $5 one expiring Mar 25, 10 executions on
	// Mar 5; now is Mar 20 12:00. Each change is made after a live read
	// has cached the answer and the frame; the next live read must equal a
	// computation that caches nothing, and (where moves) differ from the
	// balance before.
	cases := []struct {
		name   string
		moves  bool
		change func(fw *frameWorld)
	}{
		{"an ingestion is counted from the cached frame", true, func(fw *frameWorld) {
			fw.events("acme", "2026-03-20T11:00:00Z", "2026-03-20T11:30:00Z")
			if !fw.frameCached() {
				fw.t.Fatal("an ingestion dropped the frame: it cannot change it")
			}
		}},
		{"an event ahead of now counts once now passes it", true, func(fw *frameWorld) {
			fw.events("acme", "2026-03-20T12:05:00Z")
			fw.check("with the event still ahead")
			fw.s.Clock.Set(ts("2026-03-20T12:06:00Z"))
		}},
		{"a new grant is seen", true, func(fw *frameWorld) {
			fw.post(201, "/v1/customers/"+fw.cust+"/credit_grants", `{"amount":"7","applies_to":"all"}`)
		}},
		{"a voided grant is seen", true, func(fw *frameWorld) {
			g := fw.post(201, "/v1/customers/"+fw.cust+"/credit_grants", `{"amount":"7","applies_to":"all"}`)
			fw.check("with the grant")
			fw.s.Must(200, "DELETE", "/v1/customers/"+fw.cust+"/credit_grants/"+g["id"].(string), fw.key, nil)
		}},
		{"a plan change now is seen", true, func(fw *frameWorld) {
			fw.post(200, "/v1/subscriptions/"+fw.sub+"/change_plan", `{"plan":"max","at":"now"}`)
		}},
		{"a cancellation now is seen", true, func(fw *frameWorld) {
			fw.post(200, "/v1/subscriptions/"+fw.sub+"/cancel", `{"at":"now","prorate":true}`)
		}},
		{"time crossing the period boundary before any invoice run is seen", true, func(fw *frameWorld) {
			fw.s.Clock.Set(ts("2026-03-31T23:55:00Z"))
			fw.check("just before April")
			fw.s.Clock.Set(ts("2026-04-01T00:05:00Z"))
		}},
		{"a grant's expiry passing is seen", true, func(fw *frameWorld) {
			fw.s.Clock.Set(ts("2026-03-25T00:00:00Z"))
		}},
		{"a draft by an invoice run is seen, and a late event then left out", true, func(fw *frameWorld) {
			fw.s.Clock.Set(ts("2026-04-01T01:00:00Z"))
			fw.check("March due, not drafted")
			fw.post(201, "/v1/invoice_runs", `{"wait":true}`)
			fw.check("March drafted")
			fw.events("acme", "2026-03-30T00:00:00Z") // not on the draft as stored
			fw.events("acme", "2026-04-01T00:30:00Z") // April's
		}},
		{"a finalization is seen", true, func(fw *frameWorld) {
			fw.s.Clock.Set(ts("2026-04-01T01:00:00Z"))
			fw.post(201, "/v1/invoice_runs", `{"wait":true}`)
			fw.check("March drafted")
			fw.post(200, "/v1/invoices/"+fw.find(fw.sub, "cycle")["id"].(string)+"/finalize", "")
		}},
		{"a void of a finalized invoice is seen", true, func(fw *frameWorld) {
			fw.s.Clock.Set(ts("2026-04-01T01:00:00Z"))
			fw.post(201, "/v1/invoice_runs", `{"wait":true}`)
			id := fw.find(fw.sub, "cycle")["id"].(string)
			fw.post(200, "/v1/invoices/"+id+"/finalize", "")
			fw.check("March finalized")
			fw.post(200, "/v1/invoices/"+id+"/void", "")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			apptest.Each(t, ts("2026-03-20T12:00:00Z"), func(t *testing.T, s *apptest.Server) {
				fw := newFrameWorld(t, s)
				fw.post(201, "/v1/customers/"+fw.cust+"/credit_grants", `{"amount":"500","applies_to":"all"}`)
				fw.post(201, "/v1/customers/"+fw.cust+"/credit_grants", `{"amount":"5","applies_to":"all","expires_at":"2026-03-24T12:00:00Z"}`)
				fw.events("acme", "2026-03-05T00:00:00Z", "2026-03-05T00:00:00Z", "2026-03-05T01:00:00Z", "2026-03-05T02:00:00Z",
					"2026-03-05T03:00:00Z", "2026-03-06T00:00:00Z", "2026-03-07T00:00:00Z", "2026-03-08T00:00:00Z", "2026-03-09T00:00:00Z", "2026-03-10T00:00:00Z")
				before := fw.check("before the change")
				fw.check("again, from the caches")
				if !fw.frameCached() {
					t.Fatal("a live read cached no frame")
				}
				tc.change(fw)
				after := fw.check("after the change")
				if tc.moves && after == before {
					t.Fatalf("the change did not move the balance (the case tests nothing):\n%s", after)
				}
			})
		})
	}
}
