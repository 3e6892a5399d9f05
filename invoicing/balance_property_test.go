package invoicing_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/tallyhq/tally/app/apptest"
)

// The property: a live balance served through the caches (an answer, or a
// cached frame with usage read afresh) always equals the balance computed
// with nothing cached at the same instant, whatever writes came before and
// however far the clock moved. Random mixes of ingestion (before now and
// ahead of it), grants (some expiring), voids of grants, clock moves (by
// minutes, hours or days, across period boundaries), invoice runs,
// finalizations, voids of invoices, plan changes and cancellations are
// played, with a live read after each step and, at random, a second read
// from the caches.
//
// TALLY_PROPERTY_SEEDS sets how many mixes are tried (default 4).
func TestCachedBalanceEqualsAFullComputationUnderRandomWrites(t *testing.T) {
	seeds := propertySeeds()
	apptest.Each(t, ts("2026-03-20T12:00:00Z"), func(t *testing.T, s *apptest.Server) {
		for seed := 1; seed <= seeds; seed++ {
			s.Clock.Set(ts("2026-03-20T12:00:00Z"))
			r := rand.New(rand.NewPCG(uint64(seed), 13))
			fw := newFrameWorld(t, s)
			fw.post(201, "/v1/customers/"+fw.cust+"/credit_grants", `{"amount":"300","applies_to":"all"}`)
			for step := 0; step < 40; step++ {
				what := randomWrite(r, fw)
				fw.check(fmt.Sprintf("seed %d step %d (%s)", seed, step, what))
				if r.IntN(2) == 0 {
					fw.check(fmt.Sprintf("seed %d step %d (%s), read again", seed, step, what))
				}
			}
		}
	})
}

// randomWrite makes one random change (or moves the clock) and says what.
func randomWrite(r *rand.Rand, fw *frameWorld) string {
	now := fw.s.Clock.Now(context.Background())
	at := func(d time.Duration) string { return now.Add(d).UTC().Format(time.RFC3339Nano) }
	switch n := r.IntN(100); {
	case n < 35:
		evs := make([]string, 1+r.IntN(5))
		for i := range evs {
			evs[i] = at(-time.Duration(r.Int64N(int64(72 * time.Hour))))
		}
		fw.events("acme", evs...)
		return "ingest before now"
	case n < 42:
		fw.events("acme", at(time.Duration(1+r.Int64N(int64(4*time.Minute)))))
		return "ingest ahead of now"
	case n < 50:
		body := fmt.Sprintf(`{"amount":"%d","applies_to":"all"}`, 1+r.IntN(50))
		if r.IntN(2) == 0 {
			body = fmt.Sprintf(`{"amount":"%d","applies_to":"all","expires_at":%q}`, 1+r.IntN(50), at(time.Duration(1+r.Int64N(int64(48*time.Hour)))))
		}
		fw.post(201, "/v1/customers/"+fw.cust+"/credit_grants", body)
		return "grant"
	case n < 54:
		gs := fw.get("/v1/customers/" + fw.cust + "/credit_grants")["data"].([]any)
		g := gs[r.IntN(len(gs))].(map[string]any)
		fw.s.Do("DELETE", "/v1/customers/"+fw.cust+"/credit_grants/"+g["id"].(string), fw.key, nil) // voided already: 409
		return "void a grant"
	case n < 72:
		steps := []time.Duration{time.Minute, 10 * time.Minute, time.Hour, 6 * time.Hour, 3 * 24 * time.Hour}
		fw.s.Clock.Set(now.Add(time.Duration(1 + r.Int64N(int64(steps[r.IntN(len(steps))])))))
		return "move the clock"
	case n < 80:
		fw.post(201, "/v1/invoice_runs", `{"wait":true}`)
		return "invoice run"
	case n < 88:
		return fw.actOnInvoice(r)
	case n < 94:
		if sub, ok := fw.activeSub(); ok {
			plan := []string{"pro", "max"}[r.IntN(2)]
			fw.s.Do("POST", "/v1/subscriptions/"+sub+"/change_plan", fw.key, fmt.Sprintf(`{"plan":%q,"at":"now"}`, plan)) // the same plan: 4xx
			return "change plan to " + plan
		}
		return "no plan change (none active)"
	default:
		if sub, ok := fw.activeSub(); ok {
			fw.post(200, "/v1/subscriptions/"+sub+"/cancel", `{"at":"now","prorate":true}`)
			fw.subscribe("acme", "pro", at(time.Duration(r.Int64N(int64(2*time.Hour)))), "")
			return "cancel and subscribe again"
		}
		return "no cancel (none active)"
	}
}

// actOnInvoice finalizes or voids one of the customer's invoices.
func (fw *frameWorld) actOnInvoice(r *rand.Rand) string {
	invs := fw.get("/v1/invoices?customer=" + fw.cust)["data"].([]any)
	if len(invs) == 0 {
		return "no invoice to act on"
	}
	inv := invs[r.IntN(len(invs))].(map[string]any)
	action := []string{"finalize", "void"}[r.IntN(2)]
	fw.s.Do("POST", "/v1/invoices/"+inv["id"].(string)+"/"+action, fw.key, nil) // a wrong state: 409
	return action + " an invoice (" + inv["status"].(string) + ")"
}

// activeSub is the customer's subscription active now, if any.
func (fw *frameWorld) activeSub() (string, bool) {
	for _, x := range fw.get("/v1/subscriptions?customer=" + fw.cust)["data"].([]any) {
		if m := x.(map[string]any); m["status"] == "active" {
			return m["id"].(string), true
		}
	}
	return "", false
}
