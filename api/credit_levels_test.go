package api_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/app/apptest"
)

// alerts is every credit alert received, as "customer:type@level", sorted
// (two customers' alerts arrive in either order).
func (rc *receiver) alerts(names map[string]string) []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []string
	for _, e := range rc.events {
		out = append(out, fmt.Sprintf("%s:%s@%s", names[e.Data.CustomerID], e.Type, decimal.RequireFromString(e.Data.Level).String()))
	}
	sort.Strings(out)
	return out
}

// TestCreditLowLevelsOfTheTenantAndTheCustomer: the tenant's default level
// is 50 % of what was granted (PATCH /v1/settings); one customer keeps it,
// another sets its own absolute level of $3 remaining. Both get $10 of
// credit and pay $1 a call. credits.low comes for each at its own level,
// once; a new billing period with the balance still low sends it once more;
// credits.exhausted comes at zero. Invalid levels are 422s naming every
// field, and store nothing.
func TestCreditLowLevelsOfTheTenantAndTheCustomer(t *testing.T) {
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		ctx := context.Background()
		f := newFixture(t, s, "Credit levels")
		f.countMeter("calls", "api.call")
		f.create("/v1/plans", obj{"key": "metered", "currency": "usd", "interval": "month",
			"prices": list{obj{"key": "calls", "type": "usage", "meter": "calls", "model": "per_unit", "amount": "1.00"}}})

		// The tenant's default, validated first.
		wantError(t, call(t, s, "PATCH", "/v1/settings", f.key, obj{"low_credit_threshold": obj{"percent": "150", "remaining": obj{"USD": "-1"}}}),
			422, "", "low_credit_threshold.percent", "low_credit_threshold.remaining.USD")
		if st := must(t, s, 200, "GET", "/v1/settings", f.key, nil).JSON(t); st["low_credit_threshold"] != nil {
			t.Fatalf("an invalid level was stored: %v", st)
		}
		st := must(t, s, 200, "PATCH", "/v1/settings", f.key, obj{"low_credit_threshold": obj{"percent": 50}}).JSON(t)
		wantDecimal(t, "settings percent", st["low_credit_threshold"].(map[string]any)["percent"], "50")
		wantDecimal(t, "default percent", st["default_low_credit_percent"], "20")

		// The customers: one on the tenant's level, one with its own.
		wantError(t, call(t, s, "POST", "/v1/customers", f.key, obj{"external_id": "own", "currency": "usd", "low_credit_threshold": obj{"percent": 0}}),
			422, "", "low_credit_threshold.percent")
		shared := f.customer("shared", "usd")
		own := f.create("/v1/customers", obj{"external_id": "own", "currency": "usd", "low_credit_threshold": obj{"remaining": obj{"USD": "3.00"}}})["id"].(string)
		names := map[string]string{shared: "shared", own: "own"}
		got := must(t, s, 200, "GET", "/v1/customers/"+own, f.key, nil).JSON(t)["low_credit_threshold"].(map[string]any)
		wantDecimal(t, "own remaining level", got["remaining"].(map[string]any)["USD"], "3")
		if got["percent"] != nil {
			t.Errorf("own percent %v, want null", got["percent"])
		}
		for _, c := range []string{"shared", "own"} {
			f.subscribe(c, "metered")
		}

		rc := &receiver{t: t, clock: time.Now}
		hook := httptest.NewServer(rc)
		defer hook.Close()
		ep := f.create("/v1/webhook_endpoints", obj{"url": hook.URL, "events": list{"credits.low", "credits.exhausted"}})
		rc.mu.Lock()
		rc.secret = ep["secret"].(string)
		rc.mu.Unlock()
		for _, id := range []string{shared, own} {
			f.create("/v1/customers/"+id+"/credit_grants", obj{"amount": "10.00"})
		}

		n := 0
		post := func(at time.Time, calls map[string]int) {
			t.Helper()
			var evs []any
			for c, k := range calls {
				for i := 0; i < k; i++ {
					n++
					evs = append(evs, event(fmt.Sprintf("c%d", n), "api.call", c, at, nil))
				}
			}
			if res := f.batch(evs...); res.Accepted != len(evs) {
				t.Fatalf("accepted %d of %d", res.Accepted, len(evs))
			}
		}
		deliver := func(what string, want ...string) {
			t.Helper()
			sort.Strings(want)
			deadline := time.Now().Add(10 * time.Second)
			for {
				if err := s.App.Services.Budgets.EvaluateAll(ctx); err != nil {
					t.Fatal(err)
				}
				if _, err := s.App.Services.Dispatcher.RunOnce(ctx); err != nil {
					t.Fatal(err)
				}
				got := rc.alerts(names)
				if len(got) >= len(want) || time.Now().After(deadline) {
					time.Sleep(50 * time.Millisecond) // anything more would show now
					if _, err := s.App.Services.Dispatcher.RunOnce(ctx); err != nil {
						t.Fatal(err)
					}
					if got := rc.alerts(names); strings.Join(got, " ") != strings.Join(want, " ") {
						t.Fatalf("%s: received %v, want %v", what, got, want)
					}
					return
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		march := now.Add(-time.Hour)
		post(march, map[string]int{"shared": 4, "own": 4}) // $6 left each
		deliver("above both levels")
		post(march, map[string]int{"shared": 1, "own": 1}) // $5: the tenant's 50 %
		deliver("at the tenant's level", "shared:credits.low@5")
		post(march, map[string]int{"shared": 2, "own": 2}) // $3: the customer's own level
		deliver("at the customer's own level", "shared:credits.low@5", "own:credits.low@3")

		// April: March is closed but not invoiced yet, so it still draws;
		// both balances are still low: reported once more, once.
		s.Clock.Set(time.Date(2026, 4, 2, 0, 0, 0, 0, time.UTC))
		deliver("in the next period", "shared:credits.low@5", "own:credits.low@3", "shared:credits.low@5", "own:credits.low@3")
		post(time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC), map[string]int{"own": 3}) // $0
		deliver("at zero", "shared:credits.low@5", "own:credits.low@3", "shared:credits.low@5", "own:credits.low@3", "own:credits.exhausted@0")

		// {} clears the customer's level: the tenant's default shows through.
		got2 := must(t, s, 200, "PATCH", "/v1/customers/"+own, f.key, obj{"low_credit_threshold": obj{}}).JSON(t)
		if got2["low_credit_threshold"] != nil {
			t.Errorf("after {}: low_credit_threshold %v, want null", got2["low_credit_threshold"])
		}
	})
}
