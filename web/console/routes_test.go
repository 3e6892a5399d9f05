package console_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/app/apptest"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/web/console"
)

// fill puts id in place of the path's :params.
func fill(path, id string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") {
			parts[i] = id
		}
	}
	return strings.Join(parts, "/")
}

func TestEveryFormRefusesAPostWithoutItsCSRFToken(t *testing.T) {
	s := apptest.Start(t, store.SQLite, t0)
	key := tenant(s, "acme")
	b := newBrowser(t, s)
	good := b.login(key)
	n := 0
	for _, r := range console.Routes() {
		if r.Method != "POST" {
			continue
		}
		n++
		for name, form := range map[string]url.Values{"no token": {}, "another token": {"csrf_token": {good + "x"}}} {
			t.Run(r.Path+" with "+name, func(t *testing.T) {
				p := b.post(fill(r.Path, "id_1"), form)
				if p.Status != http.StatusForbidden || !strings.Contains(p.Body, "security token") {
					t.Errorf("POST %s = %d, want the 403 page", r.Path, p.Status)
				}
			})
		}
	}
	if n < 15 {
		t.Fatalf("only %d POST routes: is the table read?", n)
	}
	if p := b.get("/console/"); p.Status != 200 {
		t.Errorf("the session ended after the refusals: %d", p.Status)
	}
}

// foreign are tenant B's things, by the route table's owned kinds.
type foreign map[string]string

// seedB makes tenant B one of everything the console's routes name by id.
func seedB(t *testing.T, s *apptest.Server, key string) foreign {
	must := func(path string, body any) map[string]any {
		return s.Must(201, "POST", path, key, body).JSON()
	}
	ids := foreign{}
	ids["meter"] = must("/v1/meters", map[string]any{"key": "calls", "event_name": "call", "aggregation": map[string]any{"type": "count"}})["id"].(string)
	ids["plan"] = must("/v1/plans", map[string]any{"key": "pro", "currency": "USD", "interval": "month", "prices": []any{
		map[string]any{"key": "base", "type": "fixed", "model": "flat", "amount": "10"},
		map[string]any{"key": "calls", "type": "usage", "model": "per_unit", "meter": "calls", "amount": "0.01"}}})["id"].(string)
	ids["customer"] = must("/v1/customers", map[string]any{"external_id": "b-1", "currency": "USD"})["id"].(string)
	ids["budget"] = must("/v1/customers/"+ids["customer"]+"/budgets", map[string]any{"amount": "100"})["id"].(string)
	ids["subscription"] = must("/v1/subscriptions", map[string]any{"customer": "b-1", "plan": "pro", "start_at": t0.Add(-40 * 24 * time.Hour).Format(time.RFC3339)})["id"].(string)
	ids["endpoint"] = must("/v1/webhook_endpoints", map[string]any{"url": "https://b.example/hook", "events": []string{"invoice.finalized"}})["id"].(string)
	run := must("/v1/invoice_runs", map[string]any{"wait": true})
	ids["run"] = run["id"].(string)
	inv := s.Must(200, "GET", "/v1/invoices?customer="+ids["customer"], key, nil).JSON()["data"].([]any)
	if len(inv) == 0 {
		t.Fatal("the run drafted no invoice for B")
	}
	ids["invoice"] = inv[0].(map[string]any)["id"].(string)
	s.Must(200, "POST", "/v1/invoices/"+ids["invoice"]+"/finalize", key, nil)
	ids["key"] = must("/v1/api_keys", map[string]any{"kind": "ingest", "name": "b-app"})["id"].(string)
	ds := s.Must(200, "GET", "/v1/webhook_endpoints/"+ids["endpoint"]+"/deliveries", key, nil).JSON()["data"].([]any)
	if len(ds) == 0 {
		t.Fatal("finalizing B's invoice delivered nothing to B's endpoint")
	}
	ids["delivery"] = ds[0].(map[string]any)["id"].(string)
	return ids
}

func TestATenantsSessionCannotReachAnotherTenantsPages(t *testing.T) {
	apptest.Each(t, t0, func(t *testing.T, s *apptest.Server) {
		keyA, keyB := tenant(s, "a"), tenant(s, "b")
		ids := seedB(t, s, keyB)
		snapshot := func() string {
			var b strings.Builder
			for _, path := range []string{"/v1/subscriptions/" + ids["subscription"], "/v1/invoices/" + ids["invoice"], "/v1/webhook_endpoints/" + ids["endpoint"],
				"/v1/api_keys", "/v1/customers/" + ids["customer"] + "/credit_grants", "/v1/webhook_endpoints/" + ids["endpoint"] + "/deliveries"} {
				r := s.Must(200, "GET", path, keyB, nil)
				fmt.Fprintf(&b, "%s\n", r.Body)
			}
			return b.String()
		}
		before := snapshot()
		b := newBrowser(t, s)
		token := b.login(keyA)
		n := 0
		for _, r := range console.Routes() {
			if r.Owned == "" {
				continue
			}
			id, ok := ids[r.Owned]
			if !ok {
				t.Fatalf("no tenant-B %s for %s %s: add it to seedB", r.Owned, r.Method, r.Path)
			}
			n++
			path := fill(r.Path, id)
			var p page
			if r.Method == "POST" {
				p = b.post(path, url.Values{"csrf_token": {token}, "plan": {"pro"}, "at": {"now"}, "amount": {"5"}})
			} else {
				p = b.get(path)
			}
			if p.Status != http.StatusNotFound {
				t.Errorf("%s %s with B's %s = %d, want 404", r.Method, r.Path, r.Owned, p.Status)
			}
		}
		if n < 15 {
			t.Fatalf("only %d routes with ids", n)
		}
		if after := snapshot(); after != before {
			t.Errorf("tenant B changed:\nbefore %s\nafter  %s", before, after)
		}
	})
}
