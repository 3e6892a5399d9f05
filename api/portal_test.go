package api_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/app/apptest"
)

// portalWorld is one tenant with two customers on the same plans: acme
// (events, a closed-period invoice, a credit grant) and bob (a budget).
type portalWorld struct {
	fixture
	acme, bob       string // customer ids
	acmeInv, bobInv string // a stored invoice of each
	bobBudget       string
}

func newPortalWorld(t *testing.T, s *apptest.Server) portalWorld {
	t.Helper()
	w := portalWorld{fixture: newFixture(t, s, "portal tenant")}
	w.countMeter("calls", "api.call")
	for _, p := range []struct{ key, base, unit string }{{"pro", "10.00", "0.01"}, {"byok_pro", "20.00", "0.001"}} {
		w.create("/v1/plans", obj{"key": p.key, "name": p.key, "currency": "USD", "interval": "month", "prices": list{
			obj{"key": "base", "type": "fixed", "model": "flat", "amount": p.base},
			obj{"key": "calls", "type": "usage", "model": "per_unit", "meter": "calls", "amount": p.unit}}})
	}
	w.acme = w.customer("acme", "USD")
	w.bob = w.customer("bob", "USD")
	w.subscribe("acme", "pro")
	w.subscribe("bob", "pro")
	var evs []any
	for i := range 40 {
		evs = append(evs, event("acme-"+time.Duration(i).String(), "api.call", "acme", now.Add(-time.Duration(i)*time.Hour*6), nil))
	}
	evs = append(evs, event("bob-1", "api.call", "bob", now.Add(-time.Hour), nil))
	w.batch(evs...)
	must(t, s, 201, "POST", "/v1/invoice_runs", w.key, obj{"wait": true})
	first := func(cust string) string {
		var invs page[map[string]any]
		must(t, s, 200, "GET", "/v1/invoices?customer="+cust, w.key, nil).Decode(t, &invs)
		if len(invs.Data) == 0 {
			t.Fatalf("customer %s has no invoice after the run", cust)
		}
		return invs.Data[0]["id"].(string)
	}
	w.acmeInv, w.bobInv = first(w.acme), first(w.bob)
	w.create("/v1/customers/"+w.acme+"/credit_grants", obj{"amount": "3.00"})
	w.bobBudget = w.create("/v1/customers/"+w.bob+"/budgets", obj{"amount": "50.00"})["id"].(string)
	return w
}

// token issues a portal token for a customer and returns the reply.
func (w portalWorld) token(cust string, body obj) map[string]any {
	w.t.Helper()
	return w.create("/v1/customers/"+cust+"/portal_tokens", body)
}

func TestPortalRoutesAnswerWhatTheAdminRoutesAnswer(t *testing.T) {
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		w := newPortalWorld(t, s)
		tok := w.token(w.acme, obj{})["token"].(string)
		cases := []struct{ name, portal, admin string }{
			{"the customer is the token's", "/v1/portal/customer", "/v1/customers/" + w.acme},
			{"the proposed invoices are the customer's, live", "/v1/portal/proposed_invoices", "/v1/customers/" + w.acme + "/proposed_invoices"},
			{"the invoice list is the customer's only", "/v1/portal/invoices", "/v1/invoices?customer=" + w.acme},
			{"an invoice of the customer reads as for the admin", "/v1/portal/invoices/" + w.acmeInv, "/v1/invoices/" + w.acmeInv},
			{"the credit balance is the admin's", "/v1/portal/credit_balance", "/v1/customers/" + w.acme + "/credit_balance"},
			{"the budgets are the customer's", "/v1/portal/budgets", "/v1/customers/" + w.acme + "/budgets"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got := must(t, s, 200, "GET", c.portal, tok, nil).Body
				want := must(t, s, 200, "GET", c.admin, w.key, nil).Body
				if string(got) != string(want) {
					t.Errorf("GET %s:\n%s\nGET %s:\n%s", c.portal, got, c.admin, want)
				}
			})
		}
		t.Run("the plan advisor is the admin's, without the tenant's serve costs and margins", func(t *testing.T) {
			got := must(t, s, 200, "GET", "/v1/portal/plan_recommendation", tok, nil)
			for _, tenantOnly := range []string{"serve_cost", "margin"} {
				if strings.Contains(string(got.Body), `"`+tenantOnly) {
					t.Errorf("the portal's recommendation shows %s: %s", tenantOnly, got.Body)
				}
			}
			admin := must(t, s, 200, "GET", "/v1/customers/"+w.acme+"/plan_recommendation", w.key, nil).JSON(t)
			if !strings.Contains(fmt.Sprint(admin), "margin") {
				t.Fatalf("the admin's recommendation has no margin: %v", admin)
			}
			for _, p := range admin["comparison"].(map[string]any)["plans"].([]any) {
				for _, k := range []string{"serve_costs", "serve_cost", "margin"} {
					delete(p.(map[string]any), k)
				}
			}
			if p := got.JSON(t); !reflect.DeepEqual(p, admin) {
				t.Errorf("portal %v\nadmin %v", p, admin)
			}
		})
		t.Run("the usage series is the admin's, with the amount accruing on the proposed invoice", func(t *testing.T) {
			var pu struct {
				Usage    map[string]any   `json:"usage"`
				Timezone string           `json:"timezone"`
				Accruing []map[string]any `json:"accruing"`
			}
			qs := q("meter", "calls", "from", "2026-03-01T00:00:00Z", "to", "2026-03-10T12:00:00Z")
			must(t, s, 200, "GET", "/v1/portal/usage"+qs, tok, nil).Decode(t, &pu)
			admin := must(t, s, 200, "GET", "/v1/customers/"+w.acme+"/usage"+qs, w.key, nil).JSON(t)
			if len(pu.Usage["data"].([]any)) != 10 || len(pu.Usage["data"].([]any)) != len(admin["data"].([]any)) {
				t.Errorf("portal series has %d days, admin %d, want 10", len(pu.Usage["data"].([]any)), len(admin["data"].([]any)))
			}
			if pu.Timezone != "UTC" || len(pu.Accruing) != 1 {
				t.Fatalf("timezone %q, accruing %v", pu.Timezone, pu.Accruing)
			}
			var props page[map[string]any]
			must(t, s, 200, "GET", "/v1/customers/"+w.acme+"/proposed_invoices", w.key, nil).Decode(t, &props)
			for _, l := range props.Data[0]["lines"].([]any) {
				if l := l.(map[string]any); l["meter"] == "calls" {
					wantDecimal(t, "accruing amount", pu.Accruing[0]["amount"], l["amount"].(string))
					wantDecimal(t, "accruing quantity", pu.Accruing[0]["quantity"], l["quantity"].(string))
				}
			}
		})
	})
}

func TestPortalTokensReachOnlyTheirCustomer(t *testing.T) {
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		w := newPortalWorld(t, s)
		tok := w.token(w.acme, obj{})["token"].(string)
		refusals := []struct {
			name, method, path, key string
			body                    any
			status                  int
		}{
			{"a portal token may not read the admin route of its own customer", "GET", "/v1/customers/" + w.acme, tok, nil, 403},
			{"a portal token may not list the tenant's meters", "GET", "/v1/meters", tok, nil, 403},
			{"a portal token may not send events", "POST", "/v1/events", tok, event("p-1", "api.call", "acme", now, nil), 403},
			{"a portal token may not issue portal tokens", "POST", "/v1/customers/" + w.acme + "/portal_tokens", tok, obj{}, 403},
			{"an admin key may not use the portal routes", "GET", "/v1/portal/customer", w.key, nil, 403},
			{"another customer's invoice is not found", "GET", "/v1/portal/invoices/" + w.bobInv, tok, nil, 404},
			{"another customer's budget cannot be deleted", "DELETE", "/v1/portal/budgets/" + w.bobBudget, tok, nil, 404},
		}
		for _, r := range refusals {
			t.Run(r.name, func(t *testing.T) {
				got := call(t, s, r.method, r.path, r.key, r.body)
				if r.status == 403 {
					wantError(t, got, 403, "forbidden")
				} else {
					wantError(t, got, 404, "not_found")
				}
			})
		}
		t.Run("the invoice list holds no other customer's invoice", func(t *testing.T) {
			var invs page[map[string]any]
			must(t, s, 200, "GET", "/v1/portal/invoices", tok, nil).Decode(t, &invs)
			for _, inv := range invs.Data {
				if inv["customer_id"] != w.acme {
					t.Errorf("portal lists invoice %s of %s", inv["id"], inv["customer_id"])
				}
			}
		})
		t.Run("the customer's own budgets are the only write, seen by the admin", func(t *testing.T) {
			b := must(t, s, 201, "POST", "/v1/portal/budgets", tok, obj{"amount": "25.00", "thresholds": list{50, 90}}).JSON(t)
			if b["customer_id"] != w.acme {
				t.Fatalf("budget of %s", b["customer_id"])
			}
			var bs struct{ Data []map[string]any }
			must(t, s, 200, "GET", "/v1/customers/"+w.acme+"/budgets", w.key, nil).Decode(t, &bs)
			if len(bs.Data) != 1 || bs.Data[0]["id"] != b["id"] {
				t.Fatalf("admin sees %v", bs.Data)
			}
			must(t, s, 200, "DELETE", "/v1/portal/budgets/"+b["id"].(string), tok, nil)
			must(t, s, 200, "GET", "/v1/customers/"+w.acme+"/budgets", w.key, nil).Decode(t, &bs)
			if len(bs.Data) != 0 {
				t.Errorf("budget still there: %v", bs.Data)
			}
			must(t, s, 200, "GET", "/v1/customers/"+w.bob+"/budgets", w.key, nil).Decode(t, &bs)
			if len(bs.Data) != 1 {
				t.Errorf("bob's budget is gone: %v", bs.Data)
			}
		})
		t.Run("a bad budget is a 422 naming the field and stores nothing", func(t *testing.T) {
			wantError(t, call(t, s, "POST", "/v1/portal/budgets", tok, obj{"amount": "-1"}), 422, "validation_failed", "amount")
		})
	})
}

func TestPortalTokenLifetime(t *testing.T) {
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		w := newPortalWorld(t, s)
		t.Run("ttl outside 1m to 720h is refused with the field named", func(t *testing.T) {
			for _, ttl := range []string{"0s", "30s", "-1h", "721h", "forever", "1 day"} {
				wantError(t, call(t, s, "POST", "/v1/customers/"+w.acme+"/portal_tokens", w.key, obj{"ttl": ttl}), 422, "validation_failed", "ttl")
			}
			var l page[map[string]any]
			must(t, s, 200, "GET", "/v1/customers/"+w.acme+"/portal_tokens", w.key, nil).Decode(t, &l)
			if len(l.Data) != 0 {
				t.Errorf("refused ttls stored %d tokens", len(l.Data))
			}
		})
		t.Run("an unknown customer has no portal tokens", func(t *testing.T) {
			wantError(t, call(t, s, "POST", "/v1/customers/cus_nope/portal_tokens", w.key, obj{}), 404, "not_found")
		})
		t.Run("the default ttl is 24 hours and the url opens the portal page with the token", func(t *testing.T) {
			r := w.token(w.acme, obj{})
			if r["expires_at"] != now.Add(24*time.Hour).Format(time.RFC3339Nano) {
				t.Errorf("expires_at %v, want now + 24h", r["expires_at"])
			}
			if want := s.URL + "/portal?token=" + r["token"].(string); r["url"] != want {
				t.Errorf("url %v, want %s", r["url"], want)
			}
		})
		t.Run("a revoked token is refused at once and listed as revoked", func(t *testing.T) {
			r := w.token(w.acme, obj{"ttl": "720h"})
			tok := r["token"].(string)
			must(t, s, 200, "GET", "/v1/portal/customer", tok, nil)
			rev := must(t, s, 200, "DELETE", "/v1/customers/"+w.acme+"/portal_tokens/"+r["id"].(string), w.key, nil).JSON(t)
			if rev["status"] != "revoked" {
				t.Errorf("status %v", rev["status"])
			}
			wantError(t, call(t, s, "GET", "/v1/portal/customer", tok, nil), 401, "unauthorized")
			wantError(t, call(t, s, "DELETE", "/v1/customers/"+w.bob+"/portal_tokens/"+r["id"].(string), w.key, nil), 404, "not_found")
		})
		t.Run("the tenant's test clock expires a token", func(t *testing.T) {
			tok := w.token(w.acme, obj{"ttl": "2h"})["token"].(string)
			must(t, s, 200, "GET", "/v1/portal/customer", tok, nil)
			must(t, s, 200, "PUT", "/v1/test_clock", w.key, obj{"now": now.Add(2 * time.Hour).Format(time.RFC3339)})
			wantError(t, call(t, s, "GET", "/v1/portal/customer", tok, nil), 401, "unauthorized")
			wantError(t, call(t, s, "GET", "/v1/meters", tok, nil), 401, "unauthorized")
			must(t, s, 200, "DELETE", "/v1/test_clock", w.key, nil)
			must(t, s, 200, "GET", "/v1/portal/customer", tok, nil)
		})
		t.Run("a token expires when its ttl has passed and is listed as expired", func(t *testing.T) {
			r := w.token(w.acme, obj{"ttl": "1h"})
			tok := r["token"].(string)
			s.Clock.Advance(time.Hour - time.Second)
			must(t, s, 200, "GET", "/v1/portal/credit_balance", tok, nil)
			s.Clock.Advance(time.Second)
			wantError(t, call(t, s, "GET", "/v1/portal/credit_balance", tok, nil), 401, "unauthorized")
			var l page[map[string]any]
			must(t, s, 200, "GET", "/v1/customers/"+w.acme+"/portal_tokens", w.key, nil).Decode(t, &l)
			for _, row := range l.Data {
				if row["id"] == r["id"] && row["status"] != "expired" {
					t.Errorf("listed as %v", row["status"])
				}
			}
		})
	})
}
