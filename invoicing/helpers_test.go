package invoicing_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/app/apptest"
)

// world is one tenant with a meter "exec" (count of "agent.execution") and
// plans: "pro" ($31/month in advance + $1 per execution), "max" ($62/month
// in advance) and "arrear" ($10/month in arrear).
type world struct {
	t   *testing.T
	s   *apptest.Server
	key string
}

func newWorld(t *testing.T, s *apptest.Server) *world {
	w := &world{t: t, s: s, key: s.NewTenant("billing")}
	w.post(201, "/v1/meters", `{"key":"exec","event_name":"agent.execution","aggregation":{"type":"count"},"unit":"executions"}`)
	w.post(201, "/v1/plans", `{"key":"pro","currency":"USD","interval":"month","prices":[
		{"key":"base","type":"fixed","model":"flat","amount":"31.00","cadence":"advance"},
		{"key":"exec","type":"usage","meter":"exec","model":"per_unit","amount":"1"}]}`)
	w.post(201, "/v1/plans", `{"key":"max","currency":"USD","interval":"month","prices":[
		{"key":"base","type":"fixed","model":"flat","amount":"62.00","cadence":"advance"},
		{"key":"exec","type":"usage","meter":"exec","model":"per_unit","amount":"0.5"}]}`)
	w.post(201, "/v1/plans", `{"key":"arrear","currency":"USD","interval":"month","prices":[
		{"key":"base","type":"fixed","model":"flat","amount":"10.00","cadence":"arrear"}]}`)
	return w
}

func (w *world) post(status int, path, body string) map[string]any {
	w.t.Helper()
	return w.s.Must(status, "POST", path, w.key, body).JSON()
}

func (w *world) get(path string) map[string]any {
	w.t.Helper()
	return w.s.Must(200, "GET", path, w.key, nil).JSON()
}

// subscribe creates customer ext (if new) and subscribes it; returns the id.
func (w *world) subscribe(ext, plan, start string, extra string) string {
	w.t.Helper()
	if w.s.Do("POST", "/v1/customers", w.key, fmt.Sprintf(`{"external_id":%q,"currency":"USD"}`, ext)).Status != 201 {
		w.t.Logf("customer %s exists", ext)
	}
	body := fmt.Sprintf(`{"customer":%q,"plan":%q,"start_at":%q%s}`, ext, plan, start, extra)
	return w.post(201, "/v1/subscriptions", body)["id"].(string)
}

// events sends n executions for ext at the given instants.
func (w *world) events(ext string, at ...string) {
	w.t.Helper()
	var evs []map[string]any
	for i, ts := range at {
		evs = append(evs, map[string]any{"id": fmt.Sprintf("%s-%s-%d", ext, ts, i), "event_name": "agent.execution", "customer": ext, "timestamp": ts})
	}
	r := w.s.Must(202, "POST", "/v1/events/batch", w.key, map[string]any{"events": evs}).JSON()
	if int(r["accepted"].(float64)) != len(at) {
		w.t.Fatalf("events not all accepted: %v", r)
	}
}

// invoices lists the subscription's invoices.
func (w *world) invoices(sub string) []map[string]any {
	w.t.Helper()
	r := w.get("/v1/invoices?subscription=" + url.QueryEscape(sub))
	var out []map[string]any
	for _, x := range r["data"].([]any) {
		out = append(out, x.(map[string]any))
	}
	return out
}

// find returns the one invoice of the reason, failing otherwise.
func (w *world) find(sub, reason string) map[string]any {
	w.t.Helper()
	var found []map[string]any
	for _, inv := range w.invoices(sub) {
		if inv["billing_reason"] == reason {
			found = append(found, inv)
		}
	}
	if len(found) != 1 {
		b, _ := json.Marshal(w.invoices(sub))
		w.t.Fatalf("want one %s invoice of %s, have %d: %s", reason, sub, len(found), b)
	}
	return found[0]
}

// lines sums an invoice's line amounts by price key (credits apart, under
// "<key>:credit").
func lines(inv map[string]any) map[string]string {
	sums := map[string]decimal.Decimal{}
	for _, l := range inv["lines"].([]any) {
		m := l.(map[string]any)
		k := m["price_key"].(string)
		a := decimal.RequireFromString(m["amount"].(string))
		if a.IsNegative() {
			k += ":credit"
		}
		sums[k] = sums[k].Add(a)
	}
	out := map[string]string{}
	for k, v := range sums {
		out[k] = v.StringFixed(2)
	}
	return out
}

func equalLines(t *testing.T, what string, got map[string]string, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: lines %v, want %v", what, got, want)
		return
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: lines %v, want %v", what, got, want)
			return
		}
	}
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// propertySeeds is how many random histories a property test tries:
// TALLY_PROPERTY_SEEDS, default 4.
func propertySeeds() int {
	if v, err := strconv.Atoi(os.Getenv("TALLY_PROPERTY_SEEDS")); err == nil && v > 0 {
		return v
	}
	return 4
}
