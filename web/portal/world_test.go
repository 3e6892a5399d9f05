package portal_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/app/apptest"
)

// now is the tests' clock: ten and a half days into March (in Berlin).
var now = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

type obj = map[string]any

// world is one tenant with acme (Berlin, on pro: a fee and tiered calls
// with free units; usage every day of March so far, a closed February
// invoice, credit, a budget) and bob (on pro, one call), plus a second
// tenant's key.
type world struct {
	s                *apptest.Server
	key, otherTenant string
	acme, bob        string
	acmeInv, bobInv  string
}

func newWorld(t *testing.T, s *apptest.Server) world {
	t.Helper()
	w := world{s: s, key: s.NewTenant("portal tenant"), otherTenant: s.NewTenant("someone else")}
	s.Must(201, "POST", "/v1/meters", w.key, obj{"key": "calls", "name": "API calls", "unit": "calls", "event_name": "api.call", "aggregation": obj{"type": "count"}})
	s.Must(201, "POST", "/v1/plans", w.key, obj{"key": "pro", "name": "Pro", "currency": "USD", "interval": "month", "prices": []any{
		obj{"key": "base", "type": "fixed", "model": "flat", "amount": "10.00"},
		obj{"key": "calls", "type": "usage", "model": "tiered", "meter": "calls", "free_units": "5", "tier_mode": "graduated", "tiers": []any{
			obj{"up_to": "20", "unit_amount": "0.50"}, obj{"up_to": nil, "unit_amount": "0.25"}}}}})
	s.Must(201, "POST", "/v1/plans", w.key, obj{"key": "byok_pro", "name": "BYOK Pro", "currency": "USD", "interval": "month", "prices": []any{
		obj{"key": "base", "type": "fixed", "model": "flat", "amount": "12.00"},
		obj{"key": "calls", "type": "usage", "model": "per_unit", "meter": "calls", "amount": "0.05"}}})
	w.acme = s.Must(201, "POST", "/v1/customers", w.key, obj{"external_id": "acme", "name": "Acme GmbH", "email": "billing@acme.example", "currency": "USD", "timezone": "Europe/Berlin"}).JSON()["id"].(string)
	w.bob = s.Must(201, "POST", "/v1/customers", w.key, obj{"external_id": "bob", "name": "Bob", "currency": "USD"}).JSON()["id"].(string)
	s.Must(201, "POST", "/v1/subscriptions", w.key, obj{"customer": "acme", "plan": "pro", "start_at": "2026-02-01T00:00:00+01:00"})
	s.Must(201, "POST", "/v1/subscriptions", w.key, obj{"customer": "bob", "plan": "pro", "start_at": "2026-02-01T00:00:00Z"})
	var evs []any
	for d := 0; d < 38; d++ { // Feb 1 … Mar 10, one more call each day
		day := time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC).AddDate(0, 0, d)
		for i := 0; i <= d%4; i++ {
			evs = append(evs, obj{"id": fmt.Sprintf("acme-%d-%d", d, i), "event_name": "api.call", "customer": "acme", "timestamp": day.Add(time.Duration(i) * time.Minute).Format(time.RFC3339)})
		}
	}
	evs = append(evs, obj{"id": "bob-1", "event_name": "api.call", "customer": "bob", "timestamp": "2026-02-10T10:00:00Z"})
	s.Must(202, "POST", "/v1/events/batch", w.key, obj{"events": evs})
	s.Must(201, "POST", "/v1/invoice_runs", w.key, obj{"wait": true})
	first := func(cust string) string {
		data := s.Must(200, "GET", "/v1/invoices?customer="+cust, w.key, nil).JSON()["data"].([]any)
		if len(data) == 0 {
			t.Fatalf("no invoice for %s", cust)
		}
		return data[0].(map[string]any)["id"].(string)
	}
	w.acmeInv, w.bobInv = first(w.acme), first(w.bob)
	s.Must(200, "POST", "/v1/invoices/"+w.acmeInv+"/finalize", w.key, nil)
	s.Must(201, "POST", "/v1/customers/"+w.acme+"/credit_grants", w.key, obj{"amount": "22.00", "name": "Welcome credit", "expires_at": "2026-03-20T00:00:00Z"})
	s.Must(201, "POST", "/v1/customers/"+w.acme+"/credit_grants", w.key, obj{"amount": "10.00", "name": "Top-up"})
	s.Must(201, "POST", "/v1/customers/"+w.acme+"/budgets", w.key, obj{"amount": "40.00", "thresholds": []int{50, 80, 100}})
	return w
}

// link issues a portal token for a customer and returns its url and id.
func (w world) link(t *testing.T, cust, ttl string) (string, string) {
	t.Helper()
	body := obj{}
	if ttl != "" {
		body["ttl"] = ttl
	}
	r := w.s.Must(201, "POST", "/v1/customers/"+cust+"/portal_tokens", w.key, body).JSON()
	return r["url"].(string), r["id"].(string)
}

// proposedTotal is the API's total of the customer's proposed invoice.
func (w world) proposedTotal(t *testing.T, cust string) string {
	t.Helper()
	data := w.s.Must(200, "GET", "/v1/customers/"+cust+"/proposed_invoices", w.key, nil).JSON()["data"].([]any)
	if len(data) != 1 {
		t.Fatalf("%d proposed invoices", len(data))
	}
	return data[0].(map[string]any)["total"].(string)
}

// browser is a plain HTTP client with a cookie jar that does not follow
// redirects, so a test sees each answer.
type browser struct {
	c *http.Client
}

func newBrowser(t *testing.T) browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return browser{c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b browser) get(t *testing.T, u string) (*http.Response, string) {
	t.Helper()
	res, err := b.c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func (b browser) post(t *testing.T, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	res, err := b.c.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := csrfInput.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the page has no CSRF field")
	}
	return m[1]
}

func contains(t *testing.T, what, page string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(page, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}
