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
