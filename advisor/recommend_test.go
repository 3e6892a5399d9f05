package advisor_test

import (
	"testing"
	"time"

	"github.com/tallyhq/tally/app/apptest"
	"github.com/tallyhq/tally/store"
)

type recommendation struct {
	CurrentPlan      string            `json:"current_plan"`
	Basis            string            `json:"basis"`
	PeriodStart      string            `json:"period_start"`
	PeriodEnd        string            `json:"period_end"`
	Measured         map[string]string `json:"measured"`
	Usage            map[string]string `json:"usage"`
	ProjectionFactor string            `json:"projection_factor"`
	Projection       string            `json:"projection"`
	CurrentTotal     string            `json:"current_total"`
	Cheapest         []string          `json:"cheapest"`
	Saving           string            `json:"saving"`
	Cheaper          []delta           `json:"cheaper"`
	MoreExpensive    []delta           `json:"more_expensive"`
	Comparison       comparison        `json:"comparison"`
}

type delta struct {
	Plan       string `json:"plan"`
	Total      string `json:"total"`
	Difference string `json:"difference"`
}

func perUnit(key, currency, interval, amount string) map[string]any {
	return map[string]any{"key": key, "currency": currency, "interval": interval,
		"prices": []any{map[string]any{"key": "exec", "type": "usage", "meter": "executions", "model": "per_unit", "amount": amount}}}
}

// A customer on basic ($0.012) ran 5,000 executions in January and 1,000 in
// the first 10 days of February (28 days).
//
// last_period (January, 5,000): solo $40.00, basic $60.00, byok_pro
// $19 + $5 = $24.00, standard $280.00 → byok_pro, saving $36.00.
// current_projected: 1,000 × 28/10 = 2,800: solo $22.40, basic $33.60,
// byok_pro $19 + $2.80 = $21.80, standard $156.80 → byok_pro, saving $11.80.
// Never compared: an archived plan, a EUR plan, a yearly plan.
func TestRecommendation(t *testing.T) {
	jan := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := apptest.Start(t, store.SQLite, jan.Add(time.Hour))
	key := s.NewTenant("rec")
	s.Must(201, "POST", "/v1/meters", key, map[string]any{"key": "executions", "event_name": "exec", "aggregation": map[string]any{"type": "sum", "field": "n"}})
	for _, p := range []map[string]any{
		perUnit("solo", "USD", "month", "0.008"), perUnit("basic", "USD", "month", "0.012"), perUnit("standard", "USD", "month", "0.056"),
		{"key": "byok_pro", "currency": "USD", "interval": "month", "prices": []any{
			map[string]any{"key": "base", "type": "fixed", "model": "flat", "amount": "19.00", "cadence": "advance"},
			map[string]any{"key": "exec", "type": "usage", "meter": "executions", "model": "per_unit", "amount": "0.001"}}},
		perUnit("old", "USD", "month", "0.0001"), perUnit("euro", "EUR", "month", "0.0001"), perUnit("yearly", "USD", "year", "0.0001"),
	} {
		s.Must(201, "POST", "/v1/plans", key, p)
	}
	old := s.Must(200, "GET", "/v1/plans?limit=50", key, nil).JSON()["data"].([]any)[4].(map[string]any)
	if old["key"] != "old" {
		t.Fatalf("plan 4 is %v", old["key"])
	}
	s.Must(200, "DELETE", "/v1/plans/"+old["id"].(string), key, nil)
	cus := s.Must(201, "POST", "/v1/customers", key, map[string]any{"external_id": "acme", "currency": "USD"}).JSON()["id"].(string)
	s.Must(201, "POST", "/v1/subscriptions", key, map[string]any{"customer": "acme", "plan": "basic", "start_at": jan.Format(time.RFC3339), "billing_cycle": "calendar"})
	path := "/v1/customers/" + cus + "/plan_recommendation"
	s.Must(409, "GET", path+"?basis=last_period", key, nil) // January has not closed
	ev := func(id string, at time.Time, n int) {
		s.Must(202, "POST", "/v1/events", key, map[string]any{"id": id, "event_name": "exec", "customer": "acme", "timestamp": at.Format(time.RFC3339), "properties": map[string]any{"n": n}})
	}
	s.Clock.Set(jan.Add(5 * 24 * time.Hour))
	ev("a", jan.Add(4*24*time.Hour), 5000)
	s.Clock.Set(jan.AddDate(0, 1, 2))
	ev("b", jan.AddDate(0, 1, 2), 1000)
	s.Clock.Set(jan.AddDate(0, 1, 10))

	var r recommendation
	s.Must(200, "GET", path, key, nil).Decode(t, &r) // last_period by default
	want := func(r recommendation, basis, usage, factor, current, saving string, cheaper, dearer []delta) {
		t.Helper()
		if r.Basis != basis || r.CurrentPlan != "basic" || r.Usage["executions"] != usage || r.ProjectionFactor != factor ||
			r.CurrentTotal != current || r.Saving != saving || len(r.Cheapest) != 1 || r.Cheapest[0] != "byok_pro" {
			t.Errorf("%s: %+v", basis, r)
		}
		var plans []string
		for _, p := range r.Comparison.Plans {
			plans = append(plans, p.Plan)
		}
		if len(plans) != 4 {
			t.Errorf("%s: compared %v, want solo basic standard byok_pro", basis, plans)
		}
		eq := func(name string, got, want []delta) {
			if len(got) != len(want) {
				t.Errorf("%s %s: %+v, want %+v", basis, name, got, want)
				return
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("%s %s[%d]: %+v, want %+v", basis, name, i, got[i], want[i])
				}
			}
		}
		eq("cheaper", r.Cheaper, cheaper)
		eq("more_expensive", r.MoreExpensive, dearer)
	}
	want(r, "last_period", "5000", "1", "60.00", "36.00",
		[]delta{{"solo", "40.00", "20.00"}, {"byok_pro", "24.00", "36.00"}}, []delta{{"standard", "280.00", "220.00"}})
	if r.PeriodStart != "2026-01-01T00:00:00Z" || r.PeriodEnd != "2026-02-01T00:00:00Z" {
		t.Errorf("last period %s – %s", r.PeriodStart, r.PeriodEnd)
	}

	r = recommendation{}
	s.Must(200, "GET", path+"?basis=current_projected", key, nil).Decode(t, &r)
	want(r, "current_projected", "2800", "2.8", "33.60", "11.80",
		[]delta{{"solo", "22.40", "11.20"}, {"byok_pro", "21.80", "11.80"}}, []delta{{"standard", "156.80", "123.20"}})
	if r.Measured["executions"] != "1000" || r.PeriodStart != "2026-02-01T00:00:00Z" || r.Projection == "" {
		t.Errorf("projection: %+v %q", r.Measured, r.Projection)
	}

	s.Must(422, "GET", path+"?basis=yesterday", key, nil)
	s.Must(404, "GET", "/v1/customers/cus_nope/plan_recommendation", key, nil)
}
