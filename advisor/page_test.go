package advisor_test

import (
	"testing"
	"time"

	"github.com/tallyhq/tally/app/apptest"
	"github.com/tallyhq/tally/store"
)

// The pricing page of issue 11: per-execution tiers, BYOK with the
// customer's own Anthropic tokens (1,000 input + 500 output Sonnet 4 tokens
// at $3 / $15 per 1M = $0.0105 per execution) as external costs.
var pagePlans = []map[string]any{
	perExecution("solo", "0.008"),
	perExecution("basic", "0.012"),
	perExecution("standard", "0.056"),
	perExecution("premium", "0.0896"),
	{"key": "byok", "currency": "USD", "interval": "month",
		"prices":         []any{map[string]any{"key": "exec", "type": "usage", "meter": "executions", "model": "per_unit", "amount": "0.002"}},
		"external_costs": tokenCost},
	{"key": "byok_pro", "currency": "USD", "interval": "month",
		"prices": []any{
			map[string]any{"key": "base", "type": "fixed", "model": "flat", "amount": "19.00", "cadence": "advance"},
			map[string]any{"key": "exec", "type": "usage", "meter": "executions", "model": "per_unit", "amount": "0.001"}},
		"external_costs": tokenCost},
}

var tokenCost = []any{map[string]any{"meter": "executions", "unit_amount": "0.0105", "description": "Anthropic Sonnet 4 tokens (1,000 in + 500 out)"}}

func perExecution(key, amount string) map[string]any {
	return map[string]any{"key": key, "currency": "USD", "interval": "month",
		"prices": []any{map[string]any{"key": "exec", "type": "usage", "meter": "executions", "model": "per_unit", "amount": amount}}}
}

// pageServer is a SQLite Tally with the page's meter and plans.
func pageServer(t *testing.T) (*apptest.Server, string) {
	t.Helper()
	s := apptest.Start(t, store.SQLite, time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC))
	key := s.NewTenant("page")
	s.Must(201, "POST", "/v1/meters", key, map[string]any{"key": "executions", "event_name": "exec", "aggregation": map[string]any{"type": "count"}, "unit": "executions"})
	for _, p := range pagePlans {
		s.Must(201, "POST", "/v1/plans", key, p)
	}
	return s, key
}

type comparison struct {
	Currency string `json:"currency"`
	Plans    []struct {
		Plan         string `json:"plan"`
		Subtotal     string `json:"subtotal"`
		ExternalCost string `json:"external_cost"`
		Total        string `json:"total"`
		Lines        []struct {
			PriceKey    string `json:"price_key"`
			Amount      string `json:"amount"`
			Description string `json:"description"`
		} `json:"lines"`
	} `json:"plans"`
	Cheapest []string `json:"cheapest"`
}

func compare(t *testing.T, s *apptest.Server, key string, body map[string]any) comparison {
	t.Helper()
	var c comparison
	s.Must(200, "POST", "/v1/plans/compare", key, body).Decode(t, &c)
	return c
}

func totals(c comparison) map[string][3]string {
	out := map[string][3]string{}
	for _, p := range c.Plans {
		out[p.Plan] = [3]string{p.Subtotal, p.ExternalCost, p.Total}
	}
	return out
}

func TestPricingPageCompare(t *testing.T) {
	s, key := pageServer(t)
	all := []string{"solo", "basic", "byok", "byok_pro", "standard", "premium"}
	cases := []struct {
		qty      string
		plans    []string
		want     map[string][3]string // subtotal, external cost, total
		cheapest []string
	}{
		{"1000", all, map[string][3]string{
			"solo": {"8.00", "0.00", "8.00"}, "basic": {"12.00", "0.00", "12.00"}, "byok": {"2.00", "10.50", "12.50"},
			"byok_pro": {"20.00", "10.50", "30.50"}, "standard": {"56.00", "0.00", "56.00"}, "premium": {"89.60", "0.00", "89.60"}}, []string{"solo"}},
		{"5000", all, map[string][3]string{
			"solo": {"40.00", "0.00", "40.00"}, "basic": {"60.00", "0.00", "60.00"}, "byok": {"10.00", "52.50", "62.50"},
			"byok_pro": {"24.00", "52.50", "76.50"}, "standard": {"280.00", "0.00", "280.00"}, "premium": {"448.00", "0.00", "448.00"}}, []string{"solo"}},
		// A page that leaves Solo out of its table says Basic.
		{"5000", []string{"basic", "byok", "byok_pro", "standard"}, nil, []string{"basic"}},
	}
	for _, tc := range cases {
		c := compare(t, s, key, map[string]any{"usage": map[string]any{"executions": tc.qty}, "plans": tc.plans, "include_external_costs": true})
		got := totals(c)
		for k, w := range tc.want {
			if got[k] != w {
				t.Errorf("%s executions, %s: got %v, want %v", tc.qty, k, got[k], w)
			}
		}
		if len(c.Cheapest) != len(tc.cheapest) || c.Cheapest[0] != tc.cheapest[0] {
			t.Errorf("%s executions of %v: cheapest %v, want %v", tc.qty, tc.plans, c.Cheapest, tc.cheapest)
		}
	}

	// BYOK and BYOK Pro at 19,000: $38.00 each without token costs (a tie,
	// both listed), the same token cost on both sides with them.
	c := compare(t, s, key, map[string]any{"usage": map[string]any{"executions": 19000}, "plans": []string{"byok", "byok_pro"}})
	if got := totals(c); got["byok"][2] != "38.00" || got["byok_pro"][2] != "38.00" || len(c.Cheapest) != 2 {
		t.Errorf("19,000 without token costs: %v, cheapest %v", got, c.Cheapest)
	}
	c = compare(t, s, key, map[string]any{"usage": map[string]any{"executions": 19000}, "plans": []string{"byok", "byok_pro"}, "include_external_costs": true})
	if got := totals(c); got["byok"][2] != "237.50" || got["byok_pro"][2] != "237.50" || len(c.Cheapest) != 2 {
		t.Errorf("19,000 with token costs: %v, cheapest %v", got, c.Cheapest)
	}
	c = compare(t, s, key, map[string]any{"usage": map[string]any{"executions": 19010}, "plans": []string{"byok", "byok_pro"}})
	if c.Cheapest[0] != "byok_pro" || len(c.Cheapest) != 1 {
		t.Errorf("19,010: cheapest %v, want byok_pro", c.Cheapest)
	}

	// Solo vs BYOK Pro on rounded totals: tie at 2,714 ($21.71) and 2,715
	// ($21.72); Solo cheaper at 2,713, BYOK Pro at 2,716.
	for _, tc := range []struct {
		qty       int
		solo, pro string
		cheapest  []string
	}{{2713, "21.70", "21.71", []string{"solo"}}, {2714, "21.71", "21.71", []string{"solo", "byok_pro"}},
		{2715, "21.72", "21.72", []string{"solo", "byok_pro"}}, {2716, "21.73", "21.72", []string{"byok_pro"}}} {
		c := compare(t, s, key, map[string]any{"usage": map[string]any{"executions": tc.qty}, "plans": []string{"solo", "byok_pro"}})
		got := totals(c)
		if got["solo"][2] != tc.solo || got["byok_pro"][2] != tc.pro || len(c.Cheapest) != len(tc.cheapest) || c.Cheapest[0] != tc.cheapest[0] {
			t.Errorf("%d: solo %s byok_pro %s cheapest %v; want %s %s %v", tc.qty, got["solo"][2], got["byok_pro"][2], c.Cheapest, tc.solo, tc.pro, tc.cheapest)
		}
	}
	// The lines explain themselves like a proposed invoice.
	c = compare(t, s, key, map[string]any{"usage": map[string]any{"executions": 1000}, "plans": []string{"byok_pro"}})
	if l := c.Plans[0].Lines; len(l) != 2 || l[0].Description != "Flat fee $19.00" || l[1].Description != "1,000 executions × $0.001" || l[1].Amount != "1.00" {
		t.Errorf("byok_pro lines: %+v", l)
	}
}

func TestCompareErrors(t *testing.T) {
	s, key := pageServer(t)
	s.Must(201, "POST", "/v1/plans", key, map[string]any{"key": "eur", "currency": "EUR", "interval": "month", "prices": []any{}})
	s.Must(201, "POST", "/v1/plans", key, map[string]any{"key": "yearly", "currency": "USD", "interval": "year",
		"prices": []any{map[string]any{"key": "base", "type": "fixed", "model": "flat", "amount": "120.00"}}})
	for _, tc := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"usage": map[string]any{"executions": 1}, "plans": []string{"solo", "nope"}}, "plans[1]"},
		{map[string]any{"usage": map[string]any{"tokens": 1}, "plans": []string{"solo"}}, "usage.tokens"},
		{map[string]any{"plans": []string{"solo", "eur"}}, "plans[1]"},
		{map[string]any{"plans": []string{"solo", "yearly"}}, "plans[1]"},
		{map[string]any{"plans": []string{"solo"}, "normalize": "fortnight"}, "normalize"},
	} {
		r := s.Do("POST", "/v1/plans/compare", key, tc.body)
		if r.Status != 422 {
			t.Errorf("%v: status %d, want 422: %s", tc.body, r.Status, r.Body)
			continue
		}
		details, _ := r.JSON()["error"].(map[string]any)["details"].([]any)
		if len(details) == 0 || details[0].(map[string]any)["field"] != tc.field {
			t.Errorf("%v: details %v, want field %s", tc.body, details, tc.field)
		}
	}
	// Normalised to a month: $120 a year is $10.00 a month.
	c := compare(t, s, key, map[string]any{"usage": map[string]any{"executions": 1000}, "plans": []string{"solo", "yearly"}, "normalize": "month"})
	if c.Cheapest[0] != "solo" {
		t.Errorf("normalised: cheapest %v", c.Cheapest)
	}
	r := s.Must(200, "POST", "/v1/plans/compare", key, map[string]any{"plans": []string{"yearly"}, "normalize": "month"}).JSON()
	if got := r["plans"].([]any)[0].(map[string]any)["compared"]; got != "10.00" {
		t.Errorf("yearly per month: %v, want 10.00", got)
	}
}
