package api_test

import (
	"testing"
	"time"

	"github.com/tallyhq/tally/app/apptest"
)

// A period that has ended but that no invoice run has drafted yet draws on
// the balance like a draft: the balance says what the next invoices will,
// whether the run has happened or not.
func TestTheBalanceDoesNotWaitForTheInvoiceRun(t *testing.T) {
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "balance")
		f.countMeter("calls", "api.call")
		f.create("/v1/plans", obj{"key": "calls", "currency": "USD", "interval": "month",
			"prices": list{obj{"key": "call", "type": "usage", "meter": "calls", "model": "per_unit", "amount": "1"}}})
		cus := f.customer("acme", "USD")
		f.create("/v1/subscriptions", obj{"customer": "acme", "plan": "calls", "start_at": "2026-03-01T00:00:00Z"})
		f.create("/v1/customers/"+cus+"/credit_grants", obj{"amount": "50.00"})
		var evs []any
		for i := 0; i < 10; i++ {
			evs = append(evs, event("c"+string(rune('a'+i)), "api.call", "acme", now.Add(-time.Duration(i)*time.Hour), nil))
		}
		f.batch(evs...)
		remaining := func() string {
			b := must(t, s, 200, "GET", "/v1/customers/"+cus+"/credit_balance"+q("at", "2026-04-01T01:00:00Z"), f.key, nil).JSON(t)
			return b["data"].([]any)[0].(map[string]any)["remaining"].(string)
		}
		before := remaining()
		must(t, s, 201, "POST", "/v1/invoice_runs", f.key, obj{"as_of": "2026-04-01T01:00:00Z", "wait": true})
		after := remaining()
		if before != "40.00" || after != "40.00" {
			t.Errorf("remaining on Apr 1 01:00: %s before the run, %s after; want 40.00 both (March's $10 of calls)", before, after)
		}
	})
}
