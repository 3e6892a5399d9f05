package api_test

import (
	"encoding/json"
	"testing"

	"github.com/tallyhq/tally/app/apptest"
)

// TestTenantIsolation checks that no key sees or changes another tenant's
// rows: their ids answer 404, lists leave them out, and names (keys,
// external ids, event ids) are per tenant.
func TestTenantIsolation(t *testing.T) {
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		a := newFixture(t, s, "tenant a")
		b := newFixture(t, s, "tenant b")
		aMeter := a.countMeter("calls", "api.call")
		aPlan := a.flatPlan("pro", "USD")
		aCus := a.customer("acme", "USD")
		aSub := a.subscribe("acme", "pro")
		aKey := a.create("/v1/api_keys", obj{"kind": "ingest", "name": "a ingest"})["id"].(string)

		// B may use the same names: they are per tenant.
		bMeter := b.countMeter("calls", "api.call")
		bCus := b.customer("acme", "EUR")

		cases := []struct {
			name   string
			method string
			path   string
			body   any
		}{
			{"another tenant's meter cannot be read", "GET", "/v1/meters/" + aMeter, nil},
			{"another tenant's meter cannot be renamed", "PATCH", "/v1/meters/" + aMeter, obj{"name": "mine"}},
			{"another tenant's meter cannot be archived", "DELETE", "/v1/meters/" + aMeter, nil},
			{"another tenant's plan cannot be read", "GET", "/v1/plans/" + aPlan, nil},
			{"another tenant's plan cannot be renamed", "PATCH", "/v1/plans/" + aPlan, obj{"name": "mine"}},
			{"another tenant's plan cannot be archived", "DELETE", "/v1/plans/" + aPlan, nil},
			{"another tenant's customer cannot be read", "GET", "/v1/customers/" + aCus, nil},
			{"another tenant's customer cannot be changed", "PATCH", "/v1/customers/" + aCus, obj{"name": "mine"}},
			{"another tenant's customer usage cannot be read", "GET", "/v1/customers/" + aCus + "/usage?meter=calls", nil},
			{"another tenant's subscription cannot be read", "GET", "/v1/subscriptions/" + aSub, nil},
			{"another tenant's key cannot be revoked", "DELETE", "/v1/api_keys/" + aKey, nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				wantError(t, call(t, s, c.method, c.path, b.key, c.body), 404, "not_found")
			})
		}
		t.Run("another tenant's plan key cannot be subscribed to", func(t *testing.T) {
			wantError(t, call(t, s, "POST", "/v1/subscriptions", b.key, obj{"customer": "acme", "plan": "pro"}), 422, "validation_failed", "plan")
		})
		t.Run("the refused changes left tenant A's rows as they were", func(t *testing.T) {
			m := must(t, s, 200, "GET", "/v1/meters/"+aMeter, a.key, nil).JSON(t)
			if m["name"] != "calls" || m["archived_at"] != nil {
				t.Errorf("A's meter changed: %v", m)
			}
			p := must(t, s, 200, "GET", "/v1/plans/"+aPlan, a.key, nil).JSON(t)
			if p["name"] != "pro" || p["archived_at"] != nil {
				t.Errorf("A's plan changed: %v", p)
			}
			c := must(t, s, 200, "GET", "/v1/customers/"+aCus, a.key, nil).JSON(t)
			if c["name"] != "acme" {
				t.Errorf("A's customer changed: %v", c)
			}
			k := must(t, s, 200, "GET", "/v1/api_keys", a.key, nil).JSON(t)
			for _, row := range k["data"].([]any) {
				if row.(map[string]any)["revoked_at"] != nil {
					t.Errorf("A's key was revoked: %v", row)
				}
			}
		})

		// Events: the same id in both tenants is stored in each.
		ra := a.batch(event("evt-1", "api.call", "acme", day(9, 10), obj{"tenant": "a"}))
		rb := b.batch(event("evt-1", "api.call", "acme", day(9, 11), obj{"tenant": "b"}))
		if ra.Accepted != 1 || rb.Accepted != 1 || rb.Duplicates != 0 {
			t.Errorf("one event id in two tenants: A %+v, B %+v; want each accepted", ra, rb)
		}

		t.Run("lists never show another tenant's rows", func(t *testing.T) {
			for _, c := range []struct {
				path string
				want []string
			}{
				{"/v1/meters?include_archived=true", []string{bMeter}},
				{"/v1/plans?include_archived=true", nil},
				{"/v1/customers", []string{bCus}},
				{"/v1/subscriptions", nil},
				{"/v1/subscriptions?customer=" + aCus, nil},
			} {
				var pg page[map[string]any]
				must(t, s, 200, "GET", c.path, b.key, nil).Decode(t, &pg)
				if got := idsOf(pg.Data); len(got) != len(c.want) || (len(got) > 0 && got[0] != c.want[0]) {
					t.Errorf("B's GET %s lists %v, want %v", c.path, got, c.want)
				}
			}
			var keys page[map[string]any]
			must(t, s, 200, "GET", "/v1/api_keys", b.key, nil).Decode(t, &keys)
			for _, k := range keys.Data {
				if k["id"] == aKey {
					t.Errorf("B's key list shows A's key %s", aKey)
				}
			}
			if len(keys.Data) != 1 {
				t.Errorf("B's key list has %d keys, want its one admin key", len(keys.Data))
			}
		})
		t.Run("each tenant lists only its own copy of a shared event id", func(t *testing.T) {
			for _, c := range []struct {
				f    fixture
				want string
			}{{a, "a"}, {b, "b"}} {
				events, _ := all[storedEvent](t, s, c.f.key, "/v1/events", 50)
				if len(events) != 1 || events[0].ID != "evt-1" {
					t.Fatalf("tenant %s lists %+v, want only its evt-1", c.want, events)
				}
				var props map[string]string
				_ = json.Unmarshal(events[0].Properties, &props)
				if props["tenant"] != c.want {
					t.Errorf("tenant %s sees the payload %s", c.want, events[0].Properties)
				}
			}
		})
		t.Run("usage counts only the tenant's own events", func(t *testing.T) {
			for _, c := range []struct {
				f   fixture
				cus string
			}{{a, aCus}, {b, bCus}} {
				r := must(t, s, 200, "GET", "/v1/customers/"+c.cus+"/usage"+q("meter", "calls", "from", "2026-03-09T00:00:00Z", "to", "2026-03-10T00:00:00Z"), c.f.key, nil).JSON(t)
				pts := r["data"].([]any)
				if len(pts) != 1 {
					t.Fatalf("points %v", pts)
				}
				wantDecimal(t, "calls on March 9", pts[0].(map[string]any)["value"], "1")
			}
		})
	})
}
