package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/tallyhq/tally/api"
	"github.com/tallyhq/tally/app/apptest"
)

// victim is tenant B of the isolation matrix: one resource of every kind a
// path parameter can name, and the GETs (with B's key) whose bodies must
// not change while tenant A tries B's ids.
type victim struct {
	fixture
	ids map[string]string // resource kind → B's id (or name, for compat routes)
}

// Unique names, so tenant A (which has rows of its own) never owns them.
const (
	bMeterKey  = "b-only-meter"
	bPlanKey   = "b-only-plan"
	bCustomer  = "b-only-customer"
	bSubExtID  = "b-only-subscription"
	bEventName = "b.only.call"
)

// newVictim builds tenant B: meter, plan, customer, a subscription with a
// closed period, its invoice, an invoice run, a credit grant, an ingest
// key, a webhook endpoint and one of its deliveries.
func newVictim(t *testing.T, s *apptest.Server) victim {
	t.Helper()
	b := victim{fixture: newFixture(t, s, "tenant b"), ids: map[string]string{}}
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(rcv.Close)
	ep := b.create("/v1/webhook_endpoints", obj{"url": rcv.URL, "events": list{"invoice.created", "invoice.finalized"}})
	b.ids["webhook_endpoint"] = ep["id"].(string)
	b.ids["meter"] = b.countMeter(bMeterKey, bEventName)
	b.ids["meter_key"] = bMeterKey
	b.ids["plan"] = b.create("/v1/plans", obj{"key": bPlanKey, "currency": "USD", "interval": "month",
		"prices": list{obj{"key": "base", "type": "fixed", "model": "flat", "amount": "10.00"},
			obj{"key": "calls", "type": "usage", "model": "per_unit", "meter": bMeterKey, "amount": "0.01"}}})["id"].(string)
	b.ids["plan_key"] = bPlanKey
	b.ids["customer"] = b.customer(bCustomer, "USD")
	b.ids["customer_external_id"] = bCustomer
	b.ids["subscription"] = b.create("/v1/subscriptions", obj{"customer": bCustomer, "plan": bPlanKey,
		"start_at": "2026-02-01T00:00:00Z", "external_id": bSubExtID})["id"].(string)
	b.ids["subscription_external_id"] = bSubExtID
	b.batch(event("b-evt-1", bEventName, bCustomer, day(9, 10), nil))
	b.ids["invoice_run"] = must(t, s, 201, "POST", "/v1/invoice_runs", b.key, obj{"wait": true}).JSON(t)["id"].(string)
	var invs page[map[string]any]
	must(t, s, 200, "GET", "/v1/invoices?subscription="+b.ids["subscription"], b.key, nil).Decode(t, &invs)
	if len(invs.Data) == 0 {
		t.Fatal("tenant B has no invoice after its run")
	}
	b.ids["invoice"] = invs.Data[0]["id"].(string)
	b.ids["credit_grant"] = b.create("/v1/customers/"+b.ids["customer"]+"/credit_grants", obj{"amount": "5.00"})["id"].(string)
	b.ids["budget"] = b.create("/v1/customers/"+b.ids["customer"]+"/budgets", obj{"amount": "10.00", "period": "billing_period"})["id"].(string)
	b.ids["api_key"] = b.create("/v1/api_keys", obj{"kind": "ingest", "name": "b ingest"})["id"].(string)
	b.ids["portal_token"] = b.create("/v1/customers/"+b.ids["customer"]+"/portal_tokens", obj{"ttl": "720h"})["id"].(string)
	if _, err := s.App.Services.Dispatcher.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	var ds page[map[string]any]
	must(t, s, 200, "GET", "/v1/webhook_endpoints/"+b.ids["webhook_endpoint"]+"/deliveries", b.key, nil).Decode(t, &ds)
	if len(ds.Data) == 0 {
		t.Fatal("tenant B's endpoint has no delivery")
	}
	b.ids["webhook_delivery"] = ds.Data[0]["id"].(string)
	return b
}

// snapshot reads everything of B's that a route of A could touch.
func (b victim) snapshot(t testing.TB) map[string]string {
	t.Helper()
	paths := []string{
		"/v1/meters/" + b.ids["meter"],
		"/v1/meters?include_archived=true",
		"/v1/plans/" + b.ids["plan"],
		"/v1/plans?include_archived=true",
		"/v1/customers/" + b.ids["customer"],
		"/v1/customers",
		"/v1/customers/" + b.ids["customer"] + "/credit_grants",
		"/v1/customers/" + b.ids["customer"] + "/credit_ledger",
		"/v1/customers/" + b.ids["customer"] + "/budgets",
		"/v1/customers/" + b.ids["customer"] + "/portal_tokens",
		"/v1/subscriptions/" + b.ids["subscription"],
		"/v1/subscriptions",
		"/v1/invoices/" + b.ids["invoice"],
		"/v1/invoices",
		"/v1/invoice_runs/" + b.ids["invoice_run"],
		"/v1/api_keys",
		"/v1/events",
		"/v1/webhook_endpoints/" + b.ids["webhook_endpoint"],
		"/v1/webhook_endpoints/" + b.ids["webhook_endpoint"] + "/deliveries",
		"/v1/test_clock",
	}
	out := make(map[string]string, len(paths))
	for _, p := range paths {
		out[p] = string(must(t, b.s, 200, "GET", p, b.key, nil).Body)
	}
	return out
}

// paramKinds maps a path parameter, named with the collection segment
// before it, to the kind of B's resource that fills it. A route with a
// parameter missing here fails the matrix: add its row.
var paramKinds = map[string]string{
	"api_keys/:id":                    "api_key",
	"meters/:id":                      "meter",
	"plans/:id":                       "plan",
	"customers/:id":                   "customer",
	"credit_grants/:grant_id":         "credit_grant",
	"budgets/:budget_id":              "budget",
	"portal_tokens/:token_id":         "portal_token",
	"subscriptions/:id":               "subscription",
	"invoice_runs/:id":                "invoice_run",
	"invoices/:id":                    "invoice",
	"webhook_endpoints/:id":           "webhook_endpoint",
	"webhook_deliveries/:id":          "webhook_delivery",
	"customers/:external_customer_id": "customer_external_id", // Lago
	"meters/:slug":                    "meter_key",            // OpenMeter
}

// queryKinds fills query parameters that name a resource with B's.
var queryKinds = map[string]string{
	"customer":                 "customer",
	"subscription":             "subscription",
	"plan":                     "plan_key", // ?plan= takes a plan's key
	"meter":                    "meter_key",
	"external_subscription_id": "subscription_external_id",
}

// matrixBodies is a valid body for every route that takes one, so the
// tenant check, not validation, is what refuses A's request. A route with a
// request body missing here fails the matrix: add its row.
var matrixBodies = map[string]any{
	"POST /v1/tenants":                       obj{"name": "from a"},
	"POST /v1/api_keys":                      obj{"kind": "ingest", "name": "a's"},
	"POST /v1/meters":                        obj{"key": "a-meter", "event_name": "a.call", "aggregation": obj{"type": "count"}},
	"PATCH /v1/meters/:id":                   obj{"name": "taken by a"},
	"POST /v1/plans":                         obj{"key": "a-plan", "currency": "USD", "interval": "month", "prices": list{obj{"key": "base", "type": "fixed", "model": "flat", "amount": "1.00"}}},
	"PATCH /v1/plans/:id":                    obj{"name": "taken by a"},
	"POST /v1/plans/compare":                 obj{"plans": list{bPlanKey}, "usage": obj{bMeterKey: "10"}},
	"POST /v1/plans/break_even":              obj{"plans": list{bPlanKey}, "meter": bMeterKey},
	"POST /v1/plans/:id/backtest":            obj{"against": bPlanKey, "from": "2026-01-01T00:00:00Z", "to": "2026-02-01T00:00:00Z"},
	"POST /v1/customers/:id/budgets":         obj{"amount": "10.00", "period": "billing_period", "thresholds": list{50, 100}},
	"POST /v1/portal/budgets":                obj{"amount": "10.00", "period": "billing_period", "thresholds": list{50, 100}},
	"POST /v1/customers/:id/portal_tokens":   obj{"ttl": "1h"},
	"POST /v1/customers":                     obj{"external_id": "a-customer", "currency": "USD"},
	"PATCH /v1/customers/:id":                obj{"name": "taken by a"},
	"POST /v1/customers/:id/credit_grants":   obj{"amount": "1000.00"},
	"POST /v1/subscriptions":                 obj{"customer": bCustomer, "plan": bPlanKey},
	"POST /v1/events":                        event("a-evt", bEventName, bCustomer, day(9, 11), nil),
	"POST /v1/events/batch":                  obj{"events": list{event("a-evt-b", bEventName, bCustomer, day(9, 11), nil)}},
	"POST /v1/events/bulk":                   obj{"events": list{obj{"event_id": "a-fp", "event_name": bEventName, "external_customer_id": bCustomer, "timestamp": "2026-03-09T11:00:00Z"}}},
	"POST /api/v1/events":                    obj{"event": obj{"transaction_id": "a-lago", "external_subscription_id": bSubExtID, "code": bEventName, "timestamp": 1773054000}},
	"POST /api/v1/events/batch":              obj{"events": list{obj{"transaction_id": "a-lago-b", "external_subscription_id": bSubExtID, "code": bEventName, "timestamp": 1773054000}}},
	"POST /api/v1/meters/:slug/query":        obj{"windowSize": "DAY"},
	"POST /v1/invoice_runs":                  obj{"wait": true},
	"POST /v1/subscriptions/:id/cancel":      obj{"at": "now"},
	"POST /v1/subscriptions/:id/change_plan": obj{"plan": bPlanKey, "at": "now"},
	"POST /v1/webhook_endpoints":             obj{"url": "https://example.com/a", "events": list{"invoice.created"}},
	"PATCH /v1/webhook_endpoints/:id":        obj{"description": "taken by a"},
	"PUT /v1/test_clock":                     obj{"now": "2026-03-11T00:00:00Z"},
	"PATCH /v1/settings":                     obj{"low_credit_threshold": obj{"percent": "10"}},
}

var pathParam = regexp.MustCompile(`:([A-Za-z_]+)`)

// fill puts B's ids into a route's path parameters and resource queries.
func fill(t *testing.T, rt api.RouteInfo, ids map[string]string) (string, []string) {
	t.Helper()
	segs := strings.Split(rt.Path, "/")
	var used []string
	for i, seg := range segs {
		if !strings.HasPrefix(seg, ":") {
			continue
		}
		name := segs[i-1] + "/" + seg
		kind, ok := paramKinds[name]
		if !ok {
			t.Fatalf("%s %s: path parameter %s has no row in paramKinds (isolation_matrix_test.go): add how to get tenant B's id for it, creating the resource in newVictim", rt.Method, rt.Path, name)
		}
		segs[i] = url.PathEscape(ids[kind])
		used = append(used, ids[kind])
	}
	path := strings.Join(segs, "/")
	v := url.Values{}
	for _, q := range rt.Query {
		if kind, ok := queryKinds[q]; ok {
			v.Set(q, ids[kind])
			used = append(used, ids[kind])
		}
	}
	if len(v) > 0 {
		path += "?" + v.Encode()
	}
	return path, used
}

func bodyFor(t *testing.T, rt api.RouteInfo) any {
	t.Helper()
	if rt.Request == "" {
		return nil
	}
	b, ok := matrixBodies[rt.Method+" "+rt.Path]
	if !ok {
		t.Fatalf("%s %s takes a %s body but has no row in matrixBodies (isolation_matrix_test.go): add a valid one", rt.Method, rt.Path, rt.Request)
	}
	return b
}

// TestIsolationMatrix derives, from the server's route table, five checks
// of every route: (a) tenant A's admin key on tenant B's ids is refused and
// leaves B as it was (on a portal route, which takes only portal tokens,
// 403); (b) an ingest key on a non-ingest route is 403; (c) revoked,
// unknown-but-well-formed and malformed keys and portal tokens are 401; (d)
// the root key on a tenant route is 403; (e) a portal token of A's customer
// is 403 outside /v1/portal and, on B's ids, 404, leaving B as it was.
func TestIsolationMatrix(t *testing.T) {
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		routes := api.RouteTable(s.App.API)
		if len(routes) < 60 {
			t.Fatalf("only %d routes in the table", len(routes))
		}
		a := newFixture(t, s, "tenant a")
		// A owns rows of every kind too, so "not found" is not "empty tenant".
		a.countMeter("calls", "api.call")
		a.flatPlan("pro", "USD")
		a.customer("acme", "USD")
		a.subscribe("acme", "pro")
		aIngest := a.ingestKey()
		acmeID := a.create("/v1/customers", obj{"external_id": "acme-portal", "currency": "USD"})["id"].(string)
		aPortal := a.create("/v1/customers/"+acmeID+"/portal_tokens", obj{})["token"].(string)
		revokedPortal := a.create("/v1/customers/"+acmeID+"/portal_tokens", obj{})
		must(t, s, 200, "DELETE", "/v1/customers/"+acmeID+"/portal_tokens/"+revokedPortal["id"].(string), a.key, nil)
		b := newVictim(t, s)
		before := b.snapshot(t)
		bIDs := map[string]bool{}
		for kind, id := range b.ids {
			if !strings.Contains(kind, "external") && !strings.HasSuffix(kind, "_key") {
				bIDs[id] = true
			}
		}

		revoked := a.create("/v1/api_keys", obj{"kind": "admin", "name": "to revoke"})
		must(t, s, 200, "DELETE", "/v1/api_keys/"+revoked["id"].(string), a.key, nil)
		badKeys := map[string]string{
			"revoked":                                revoked["key"].(string),
			"well-formed but unknown":                "tly_adm_" + strings.Repeat("A", 32),
			"an admin key, one character changed":    flipLast(a.key),
			"the root key with a suffix":             apptest.RootKey + "x",
			"no prefix":                              "not-a-key",
			"only the prefix":                        "tly_",
			"4 KB of key":                            "tly_adm_" + strings.Repeat("x", 4096),
			"non-ASCII":                              "tly_adm_ключ",
			"a revoked portal token":                 revokedPortal["token"].(string),
			"a well-formed but unknown portal token": "tly_prt_" + strings.Repeat("a", 32),
			"a portal token, one character changed":  flipLast(aPortal),
			"only the portal prefix":                 "tly_prt_",
		}

		counts := map[string]int{}
		statuses := map[int]int{}
		for _, rt := range routes {
			name := rt.Method + " " + rt.Path
			path, used := fill(t, rt, b.ids)
			body := bodyFor(t, rt)

			t.Run("a on b/"+name, func(t *testing.T) {
				if rt.Access == api.Public {
					counts["public (no tenant)"]++
					return
				}
				r, err := send(s, rt.Method, path, a.key, body)
				if err != nil {
					t.Fatalf("%s %s: %v", rt.Method, path, err)
				}
				counts["a on b"]++
				statuses[r.Status]++
				switch {
				case rt.Access == api.Root || rt.Access == api.Portal:
					if r.Status != 403 {
						t.Errorf("%s %s with a tenant admin key: %d, want 403: %s", rt.Method, path, r.Status, r.Body)
					}
				case strings.Contains(rt.Path, ":"):
					if r.Status != 404 {
						t.Errorf("%s %s (tenant B's ids) with tenant A's key: %d, want 404: %s", rt.Method, path, r.Status, r.Body)
					}
				default:
					// No id in the path: A acts on its own tenant. The reply
					// names none of B's ids that A did not send.
					sent := map[string]bool{}
					for _, u := range used {
						sent[u] = true
					}
					for id := range bIDs {
						if !sent[id] && strings.Contains(string(r.Body), id) {
							t.Errorf("%s %s with tenant A's key shows tenant B's id %s: %s", rt.Method, path, id, r.Body)
						}
					}
				}
				after := b.snapshot(t)
				for p, was := range before {
					if after[p] != was {
						t.Errorf("%s %s by tenant A changed tenant B's GET %s:\nbefore %s\nafter  %s", rt.Method, path, p, was, after[p])
					}
				}
			})

			if rt.Access == api.Public {
				continue
			}
			t.Run("ingest key/"+name, func(t *testing.T) {
				if rt.Access == api.Ingest {
					return // the ingest key's own routes
				}
				counts["ingest key"]++
				wantRefused(t, rt.Method, call(t, s, rt.Method, path, aIngest, body), 403, "forbidden")
			})
			t.Run("bad keys/"+name, func(t *testing.T) {
				for what, k := range badKeys {
					counts["bad keys"]++
					r := call(t, s, rt.Method, path, k, body)
					if r.Status != 401 {
						t.Errorf("%s key: %d, want 401: %s", what, r.Status, r.Body)
					}
				}
				counts["bad keys"]++
				if r := call(t, s, rt.Method, path, "", body); r.Status != 401 {
					t.Errorf("no key: %d, want 401: %s", r.Status, r.Body)
				}
				counts["bad keys"]++
				r, err := send(s, rt.Method, path, "", body, "Authorization", "Basic "+a.key)
				if err != nil || r.Status != 401 {
					t.Errorf("Basic scheme: %d %v, want 401", r.Status, err)
				}
			})
			t.Run("portal token/"+name, func(t *testing.T) {
				counts["portal token"]++
				r := call(t, s, rt.Method, path, aPortal, body)
				switch {
				case rt.Access != api.Portal:
					wantRefused(t, rt.Method, r, 403, "forbidden")
				case strings.Contains(rt.Path, ":"):
					if r.Status != 404 {
						t.Errorf("%s %s (tenant B's ids) with a portal token of tenant A: %d, want 404: %s", rt.Method, path, r.Status, r.Body)
					}
				default:
					for id := range bIDs {
						if !slices.Contains(used, id) && strings.Contains(string(r.Body), id) {
							t.Errorf("%s %s with a portal token of tenant A shows tenant B's id %s: %s", rt.Method, path, id, r.Body)
						}
					}
				}
				after := b.snapshot(t)
				for p, was := range before {
					if after[p] != was {
						t.Errorf("%s %s with a portal token of tenant A changed tenant B's GET %s", rt.Method, path, p)
					}
				}
			})
			t.Run("root key/"+name, func(t *testing.T) {
				if rt.Access == api.Root {
					return
				}
				counts["root key"]++
				wantRefused(t, rt.Method, call(t, s, rt.Method, path, apptest.RootKey, body), 403, "forbidden")
			})
		}
		var keys []string
		for k := range counts {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		total := 0
		for _, k := range keys {
			parts = append(parts, k+": "+strconv.Itoa(counts[k]))
			total += counts[k]
		}
		t.Logf("isolation matrix: %d routes, %d cases (%s); tenant A's statuses %v", len(routes), total, strings.Join(parts, ", "), statuses)
	})
}

// flipLast changes a key's last character.
func flipLast(k string) string {
	if strings.HasSuffix(k, "A") {
		return k[:len(k)-1] + "B"
	}
	return k[:len(k)-1] + "A"
}

// wantRefused is wantError, except that a HEAD reply has no body to check.
func wantRefused(t *testing.T, method string, r reply, status int, code string) {
	t.Helper()
	if method == "HEAD" {
		if r.Status != status {
			t.Errorf("status %d, want %d", r.Status, status)
		}
		return
	}
	wantError(t, r, status, code)
}
