package advisor_test

import (
	"testing"
	"time"

	"github.com/tallyhq/tally/app/apptest"
)

// A meter declares what a unit costs to serve; PATCH changes or removes it;
// half a cost, a negative one or an unknown currency is refused.
func TestMeterCost(t *testing.T) {
	apptest.Each(t, time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC), func(t *testing.T, s *apptest.Server) {
		key := s.NewTenant("cost")
		m := s.Must(201, "POST", "/v1/meters", key, map[string]any{"key": "tokens", "event_name": "llm", "aggregation": map[string]any{"type": "sum", "field": "n"},
			"cost_per_unit": "0.000003", "cost_currency": "usd"}).JSON()
		if m["cost_per_unit"] != "0.000003" || m["cost_currency"] != "USD" {
			t.Fatalf("created: %v", m)
		}
		id := m["id"].(string)
		if g := s.Must(200, "GET", "/v1/meters/"+id, key, nil).JSON(); g["cost_per_unit"] != "0.000003" {
			t.Errorf("read: %v", g)
		}
		if u := s.Must(200, "PATCH", "/v1/meters/"+id, key, map[string]any{"name": "Tokens"}).JSON(); u["cost_per_unit"] != "0.000003" {
			t.Errorf("a patch without cost dropped it: %v", u)
		}
		if u := s.Must(200, "PATCH", "/v1/meters/"+id, key, map[string]any{"cost_per_unit": "0.01", "cost_currency": "EUR"}).JSON(); u["cost_per_unit"] != "0.01" || u["cost_currency"] != "EUR" {
			t.Errorf("changed: %v", u)
		}
		if u := s.Must(200, "PATCH", "/v1/meters/"+id, key, map[string]any{"cost_per_unit": nil, "cost_currency": nil}).JSON(); u["cost_per_unit"] != nil || u["cost_currency"] != nil {
			t.Errorf("removed: %v", u)
		}
		for _, bad := range []map[string]any{{"cost_per_unit": "1"}, {"cost_currency": "USD"}, {"cost_per_unit": "-1", "cost_currency": "USD"}, {"cost_per_unit": "1", "cost_currency": "XXZ"}} {
			bad["key"], bad["event_name"], bad["aggregation"] = "m2", "x", map[string]any{"type": "count"}
			s.Must(422, "POST", "/v1/meters", key, bad)
		}
		if none := s.Must(201, "POST", "/v1/meters", key, map[string]any{"key": "plain", "event_name": "x", "aggregation": map[string]any{"type": "count"}}).JSON(); none["cost_per_unit"] != nil {
			t.Errorf("no cost: %v", none)
		}
	})
}

// A customer on resale ($5 a month in advance + $0.01 a token) used 2,000
// tokens (cost $0.004 each) and 3 GB of storage (cost €0.50, not priced)
// in January. January's margin: revenue $5.00 + $20.00 = $25.00 (February's
// advance fee is not January's), cost $8.00, margin $17.00; and €1.50 of
// cost with no revenue: −€1.50.
func TestCustomerMargin(t *testing.T) {
	jan := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	feb := jan.AddDate(0, 1, 0)
	apptest.Each(t, feb.Add(time.Hour), func(t *testing.T, s *apptest.Server) {
		key := s.NewTenant("margin")
		s.Must(201, "POST", "/v1/meters", key, map[string]any{"key": "tokens", "event_name": "llm", "aggregation": map[string]any{"type": "sum", "field": "n"},
			"cost_per_unit": "0.004", "cost_currency": "USD"})
		s.Must(201, "POST", "/v1/meters", key, map[string]any{"key": "storage", "event_name": "gb", "aggregation": map[string]any{"type": "sum", "field": "n"},
			"cost_per_unit": "0.5", "cost_currency": "EUR"})
		s.Must(201, "POST", "/v1/plans", key, map[string]any{"key": "resale", "currency": "USD", "interval": "month", "prices": []any{
			map[string]any{"key": "fee", "type": "fixed", "model": "flat", "amount": "5.00", "cadence": "advance"},
			map[string]any{"key": "use", "type": "usage", "meter": "tokens", "model": "per_unit", "amount": "0.01"}}})
		cus := s.Must(201, "POST", "/v1/customers", key, map[string]any{"external_id": "acme", "currency": "USD"}).JSON()["id"].(string)
		s.Must(201, "POST", "/v1/subscriptions", key, map[string]any{"customer": "acme", "plan": "resale", "start_at": jan.Format(time.RFC3339), "billing_cycle": "calendar"})
		s.Must(202, "POST", "/v1/events/batch", key, map[string]any{"events": []any{
			map[string]any{"id": "t1", "event_name": "llm", "customer": "acme", "timestamp": jan.Add(48 * time.Hour).Format(time.RFC3339), "properties": map[string]any{"n": 2000}},
			map[string]any{"id": "g1", "event_name": "gb", "customer": "acme", "timestamp": jan.Add(72 * time.Hour).Format(time.RFC3339), "properties": map[string]any{"n": 3}}}})
		s.Must(201, "POST", "/v1/invoice_runs", key, map[string]any{"as_of": feb.Format(time.RFC3339), "wait": true})
		var m struct {
			Costs []struct {
				Meter, Quantity, Currency, Amount string
			} `json:"costs"`
			Totals []struct {
				Currency, Revenue, Cost, Margin string
			} `json:"totals"`
		}
		s.Must(200, "GET", "/v1/customers/"+cus+"/margin?from="+jan.Format(time.RFC3339)+"&to="+feb.Format(time.RFC3339), key, nil).Decode(t, &m)
		if len(m.Totals) != 2 || m.Totals[0] != (struct{ Currency, Revenue, Cost, Margin string }{"EUR", "0.00", "1.50", "-1.50"}) ||
			m.Totals[1] != (struct{ Currency, Revenue, Cost, Margin string }{"USD", "25.00", "8.00", "17.00"}) {
			t.Errorf("totals: %+v", m.Totals)
		}
		if len(m.Costs) != 2 || m.Costs[0].Meter != "tokens" || m.Costs[0].Quantity != "2000" || m.Costs[0].Amount != "8.00" || m.Costs[1].Amount != "1.50" {
			t.Errorf("costs: %+v", m.Costs)
		}
		s.Must(422, "GET", "/v1/customers/"+cus+"/margin?from="+jan.Format(time.RFC3339), key, nil)

		// The compare shows the same cost and margin for that usage; the
		// euro cost is listed, not converted.
		c := s.Must(200, "POST", "/v1/plans/compare", key, map[string]any{"usage": map[string]any{"tokens": 2000, "storage": 3}, "plans": []string{"resale"}}).JSON()
		q := c["plans"].([]any)[0].(map[string]any)
		if q["subtotal"] != "25.00" || q["serve_cost"] != "8.00" || q["margin"] != "17.00" || len(q["serve_costs"].([]any)) != 2 {
			t.Errorf("compare: %v", q)
		}
		// The backtest of resale against itself: the same margin, on the
		// meters the plans price (tokens).
		bt := s.Must(200, "POST", "/v1/plans/resale/backtest", key, map[string]any{"against": "resale", "from": jan.Format(time.RFC3339), "to": feb.Format(time.RFC3339)}).JSON()
		tot := bt["totals"].(map[string]any)
		if tot["had"] != "25.00" || tot["cost"] != "8.00" || tot["margin_had"] != "17.00" || tot["margin_would"] != "17.00" {
			t.Errorf("backtest totals: %v", tot)
		}
	})
}
