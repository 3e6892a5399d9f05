package stripesync_test

import (
	"testing"

	"github.com/tallyhq/tally/invoicing"
	"github.com/tallyhq/tally/invoicing/stripesync"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
)

// TestStripeFollowsWhatTallySettles: an invoice Tally voids, marks paid or
// marks uncollectible has its Stripe copy follow — voided, deleted, paid out
// of band, marked uncollectible — once, and a copy Stripe already settled
// (a webhook told Tally) is left as it is.
func TestStripeFollowsWhatTallySettles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		f := newFakeStripe(t)
		s := e.syncer(f.URL(), stripesync.Config{})
		sub := e.customer("settle", "USD", "")
		move := func(inv invoicing.Invoice, to invoicing.Status) {
			t.Helper()
			e.clock.Advance(1)
			if _, err := e.inv.Transition(e.ctx, e.tenantID, inv.ID, to); err != nil {
				t.Fatal(err)
			}
		}
		pending := func(want int) {
			t.Helper()
			if n, err := s.SyncPending(e.ctx); err != nil || n != want {
				t.Fatalf("SyncPending synced %d (%v), want %d", n, err, want)
			}
		}
		cases := []struct {
			name     string
			finalize bool
			to       invoicing.Status
			op       string
			status   string // of the Stripe copy afterwards; "" = gone
		}{
			{"a voided draft's Stripe draft is deleted", false, invoicing.Void, "DELETE /v1/invoices/{id}", ""},
			{"a voided finalized invoice is voided in Stripe", true, invoicing.Void, "POST /v1/invoices/{id}/void", "void"},
			{"an invoice paid outside Stripe is paid out of band there", true, invoicing.Paid, "POST /v1/invoices/{id}/pay", "paid"},
			{"an uncollectible invoice is marked so in Stripe", true, invoicing.Uncollectible, "POST /v1/invoices/{id}/mark_uncollectible", "uncollectible"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				inv := e.invoice(sub, line{"Fee", "9.00"})
				mustSync(t, s, e, inv.ID)
				if c.finalize {
					inv = e.finalize(inv)
					pending(1)
				}
				move(inv, c.to)
				f.reset()
				pending(1)
				calls := f.log(c.op)
				if len(calls) != 1 {
					t.Fatalf("%s called %d times, want once: %v", c.op, len(calls), ops(f.log()))
				}
				if c.to == invoicing.Paid && calls[0].Form.Get("paid_out_of_band") != "true" {
					t.Errorf("pay without paid_out_of_band: %v", calls[0].Form)
				}
				got := f.invoicesOf(inv.ID)
				switch {
				case c.status == "" && len(got) != 0:
					t.Errorf("the Stripe draft is still there: %+v", got)
				case c.status != "" && (len(got) != 1 || got[0].Status != c.status):
					t.Errorf("Stripe copy %+v, want one %s", got, c.status)
				}
				f.reset()
				pending(0)
				if len(f.log()) != 0 {
					t.Errorf("a settled invoice was sent again: %v", ops(f.log()))
				}
			})
		}
		t.Run("a copy Stripe already settled counts as settled", func(t *testing.T) {
			inv := e.finalize(e.invoice(sub, line{"Fee", "4.00"}))
			pending(1)
			si := f.invoicesOf(inv.ID)[0]
			f.mu.Lock()
			f.invoices[si.ID]["status"] = "paid" // as Stripe would after a charge
			f.mu.Unlock()
			move(inv, invoicing.Paid) // the webhook's doing
			pending(1)
			f.reset()
			pending(0)
		})
	})
}
