package advisor_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/tallyhq/tally/app/apptest"
)

type backtest struct {
	Plan      string `json:"plan"`
	Against   string `json:"against"`
	Customers []struct {
		CustomerExternalID string `json:"customer_external_id"`
		Periods            int    `json:"periods"`
		Had                string `json:"had"`
		Would              string `json:"would"`
		Difference         string `json:"difference"`
	} `json:"customers"`
	Totals struct {
		Subscriptions int    `json:"subscriptions"`
		Periods       int    `json:"periods"`
		Had           string `json:"had"`
		Would         string `json:"would"`
		RevenueDelta  string `json:"revenue_delta"`
		PayMore       int    `json:"pay_more"`
		PayLess       int    `json:"pay_less"`
		PaySame       int    `json:"pay_same"`
		P50           string `json:"p50_change"`
		P95           string `json:"p95_change"`
	} `json:"totals"`
}

// std: $10 a month in advance + graduated 0–1,000 at $0.01, above at
// $0.005; lite: $0.004 a unit, nothing else.
var stdPlan = map[string]any{"key": "std", "currency": "USD", "interval": "month", "prices": []any{
	map[string]any{"key": "fee", "type": "fixed", "model": "flat", "amount": "10.00", "cadence": "advance"},
	map[string]any{"key": "use", "type": "usage", "meter": "units", "model": "tiered", "tier_mode": "graduated", "tiers": []any{
		map[string]any{"up_to": "1000", "unit_amount": "0.01"}, map[string]any{"up_to": nil, "unit_amount": "0.005"}}}}}

// 200 subscribers of std since Jan 1 (and one since Jan 15, whose January
// is partial), billed by an invoice run for January and February.
// Backtesting std against itself gives 0 for everyone. Backtesting lite on
// customers a (2,000 units in January, 500 in February) and b (none):
// a had $10 + $10 + $5 = $25.00 and $10 + $5 = $15.00, would have had $8.00
// and $2.00 (−$30.00); b had $20.00 of fees, would have had $0 (−$20.00):
// revenue −$50.00, both pay less, p50 −$30.00, p95 −$20.00.
func TestBacktest(t *testing.T) {
	jan := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	mar := jan.AddDate(0, 2, 0)
	apptest.Each(t, mar.Add(time.Hour), func(t *testing.T, s *apptest.Server) {
		key := s.NewTenant("bt")
		s.Must(201, "POST", "/v1/meters", key, map[string]any{"key": "units", "event_name": "u", "aggregation": map[string]any{"type": "sum", "field": "n"}})
		s.Must(201, "POST", "/v1/plans", key, stdPlan)
		s.Must(201, "POST", "/v1/plans", key, perUnitOn("lite", "units", "0.004"))
		var events []any
		ev := func(cus string, at time.Time, n int) {
			events = append(events, map[string]any{"id": fmt.Sprintf("%s-%d", cus, at.Unix()), "event_name": "u", "customer": cus, "timestamp": at.Format(time.RFC3339), "properties": map[string]any{"n": n}})
		}
		subscribe := func(cus string, start time.Time) {
			s.Must(201, "POST", "/v1/customers", key, map[string]any{"external_id": cus, "currency": "USD"})
			s.Must(201, "POST", "/v1/subscriptions", key, map[string]any{"customer": cus, "plan": "std", "start_at": start.Format(time.RFC3339), "billing_cycle": "calendar"})
		}
		const n = 198
		for i := range n {
			cus := fmt.Sprintf("c%03d", i)
			subscribe(cus, jan)
			ev(cus, jan.Add(time.Duration(i)*time.Hour), (i*37)%5000)
			ev(cus, jan.AddDate(0, 1, 3), (i*53)%3000)
		}
		subscribe("a", jan)
		ev("a", jan.Add(48*time.Hour), 2000)
		ev("a", jan.AddDate(0, 1, 5), 500)
		subscribe("b", jan)
		subscribe("late", jan.Add(14*24*time.Hour))
		ev("late", jan.AddDate(0, 0, 20), 900)
		ev("late", jan.AddDate(0, 1, 20), 1200)
		for len(events) > 0 {
			k := min(len(events), 1000)
			s.Must(202, "POST", "/v1/events/batch", key, map[string]any{"events": events[:k]})
			events = events[k:]
		}
		s.Must(201, "POST", "/v1/invoice_runs", key, map[string]any{"as_of": mar.Format(time.RFC3339), "wait": true})

		var same backtest
		s.Must(200, "POST", "/v1/plans/std/backtest", key, map[string]any{"against": "std", "from": jan.Format(time.RFC3339), "to": mar.Format(time.RFC3339)}).Decode(t, &same)
		tt := same.Totals
		if tt.Subscriptions != n+3 || tt.Periods != 2*(n+2)+1 || tt.RevenueDelta != "0.00" || tt.PaySame != n+3 || tt.PayMore != 0 || tt.PayLess != 0 ||
			tt.Had != tt.Would || tt.Had == "0.00" || tt.P50 != "0.00" || tt.P95 != "0.00" {
			t.Errorf("std against itself: %+v", tt)
		}
		for _, r := range same.Customers {
			if r.Difference != "0.00" || r.Had != r.Would {
				t.Errorf("std against itself, %s: had %s, would %s", r.CustomerExternalID, r.Had, r.Would)
			}
		}

		var lite backtest
		s.Must(200, "POST", "/v1/plans/lite/backtest", key, map[string]any{"against": "std", "from": jan.Format(time.RFC3339), "to": mar.Format(time.RFC3339),
			"customers": []string{"a", "b"}}).Decode(t, &lite)
		got := map[string][3]string{}
		for _, r := range lite.Customers {
			got[r.CustomerExternalID] = [3]string{r.Had, r.Would, r.Difference}
		}
		if got["a"] != [3]string{"40.00", "10.00", "-30.00"} || got["b"] != [3]string{"20.00", "0.00", "-20.00"} || len(got) != 2 {
			t.Errorf("lite rows: %v", got)
		}
		if lt := lite.Totals; lt.Had != "60.00" || lt.Would != "10.00" || lt.RevenueDelta != "-50.00" || lt.PayLess != 2 || lt.P50 != "-30.00" || lt.P95 != "-20.00" {
			t.Errorf("lite totals: %+v", lt)
		}

		s.Must(422, "POST", "/v1/plans/lite/backtest", key, map[string]any{"against": "nope", "from": jan.Format(time.RFC3339), "to": mar.Format(time.RFC3339)})
		s.Must(422, "POST", "/v1/plans/lite/backtest", key, map[string]any{"against": "std", "from": mar.Format(time.RFC3339), "to": jan.Format(time.RFC3339)})
		s.Must(404, "POST", "/v1/plans/nope/backtest", key, map[string]any{"against": "std", "from": jan.Format(time.RFC3339), "to": mar.Format(time.RFC3339)})
	})
}

func perUnitOn(key, meter, amount string) map[string]any {
	return map[string]any{"key": key, "currency": "USD", "interval": "month",
		"prices": []any{map[string]any{"key": "use", "type": "usage", "meter": meter, "model": "per_unit", "amount": amount}}}
}
