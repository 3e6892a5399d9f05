package api_test

import (
	"testing"
	"time"

	"github.com/tallyhq/tally/app/apptest"
)

// TestPlansInUse checks that a plan's prices are frozen once it is sold,
// while its name may change, and that an unused plan may be rewritten.
func TestPlansInUse(t *testing.T) {
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "in use")
		f.countMeter("calls", "api.call")
		used := f.flatPlan("used", "USD")
		unused := f.flatPlan("unused", "USD")
		f.customer("acme", "USD")
		f.subscribe("acme", "used")
		newPrices := obj{"prices": list{
			obj{"key": "base", "type": "fixed", "amount": "25.00"},
			obj{"key": "calls", "type": "usage", "meter": "calls", "model": "package", "amount": "1", "package_size": "1000"},
		}}
		priceIDs := func(plan map[string]any) []string {
			var out []string
			for _, p := range plan["prices"].([]any) {
				out = append(out, p.(map[string]any)["id"].(string))
			}
			return out
		}
		before := must(t, s, 200, "GET", "/v1/plans/"+used, f.key, nil).JSON(t)

		cases := []struct {
			name string
			body obj
		}{
			{"changing the prices of a plan with a subscription is a 409 plan_in_use", newPrices},
			{"changing the currency of a plan with a subscription is a 409 plan_in_use", obj{"currency": "EUR"}},
			{"changing the interval of a plan with a subscription is a 409 plan_in_use", obj{"interval": "year"}},
			{"emptying the prices of a plan with a subscription is a 409 plan_in_use", obj{"prices": list{}}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				wantError(t, call(t, s, "PATCH", "/v1/plans/"+used, f.key, c.body), 409, "plan_in_use")
			})
		}
		t.Run("the refused changes left the plan as it was", func(t *testing.T) {
			after := must(t, s, 200, "GET", "/v1/plans/"+used, f.key, nil).JSON(t)
			if after["currency"] != "USD" || after["interval"] != "month" || len(after["prices"].([]any)) != 1 {
				t.Errorf("plan changed by refused PATCHes: %v", after)
			}
			wantDecimal(t, "base amount", after["prices"].([]any)[0].(map[string]any)["amount"], "10")
		})
		t.Run("a plan with a subscription can be renamed", func(t *testing.T) {
			p := must(t, s, 200, "PATCH", "/v1/plans/"+used, f.key, obj{"name": "Used (legacy)", "description": "old"}).JSON(t)
			if p["name"] != "Used (legacy)" || p["description"] != "old" {
				t.Errorf("rename answered %v", p)
			}
			if got, want := priceIDs(p), priceIDs(before); len(got) != 1 || got[0] != want[0] {
				t.Errorf("renaming replaced the prices: %v, was %v", got, want)
			}
			if again := must(t, s, 200, "GET", "/v1/plans/"+used, f.key, nil).JSON(t); again["name"] != "Used (legacy)" {
				t.Errorf("the new name was not stored: %v", again["name"])
			}
		})
		t.Run("a blank name is refused", func(t *testing.T) {
			wantError(t, call(t, s, "PATCH", "/v1/plans/"+used, f.key, obj{"name": " "}), 422, "validation_failed", "name")
		})
		t.Run("the prices of an unused plan can be replaced", func(t *testing.T) {
			p := must(t, s, 200, "PATCH", "/v1/plans/"+unused, f.key, newPrices).JSON(t)
			prices := p["prices"].([]any)
			if len(prices) != 2 {
				t.Fatalf("prices after PATCH: %v", prices)
			}
			base, calls := prices[0].(map[string]any), prices[1].(map[string]any)
			wantDecimal(t, "new base amount", base["amount"], "25")
			wantDecimal(t, "package_size", calls["package_size"], "1000")
			if calls["rounding"] != "up" || calls["meter"] != "calls" {
				t.Errorf("package price %v, want rounding up by default and meter calls", calls)
			}
			stored := must(t, s, 200, "GET", "/v1/plans/"+unused, f.key, nil).JSON(t)
			if len(stored["prices"].([]any)) != 2 {
				t.Errorf("the new prices were not stored: %v", stored["prices"])
			}
		})
		t.Run("replacement prices are validated like new ones", func(t *testing.T) {
			wantError(t, call(t, s, "PATCH", "/v1/plans/"+unused, f.key, obj{"prices": list{
				obj{"key": "calls", "type": "usage", "meter": "nope", "model": "package", "amount": "1"}}}),
				422, "validation_failed", "prices[0].meter", "prices[0].package_size")
			wantError(t, call(t, s, "PATCH", "/v1/plans/"+unused, f.key, obj{"interval": "fortnight", "currency": "ABC"}),
				422, "validation_failed", "interval", "currency")
		})
	})
}

// TestArchiving checks that DELETE archives plans and meters: they leave the
// default lists, stay readable, and take no new subscriptions or prices.
func TestArchiving(t *testing.T) {
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "archive")
		meter := f.countMeter("calls", "api.call")
		keep := f.flatPlan("keep", "USD")
		plan := f.create("/v1/plans", obj{"key": "old", "currency": "USD", "interval": "month", "prices": list{
			obj{"key": "calls", "type": "usage", "meter": "calls", "model": "per_unit", "amount": "0.01"}}})["id"].(string)
		f.customer("acme", "USD")
		sub := f.subscribe("acme", "old")

		listed := func(path string) []string {
			t.Helper()
			var pg page[map[string]any]
			must(t, s, 200, "GET", path, f.key, nil).Decode(t, &pg)
			return idsOf(pg.Data)
		}

		t.Run("DELETE archives a plan and sets archived_at", func(t *testing.T) {
			p := must(t, s, 200, "DELETE", "/v1/plans/"+plan, f.key, nil).JSON(t)
			if p["archived_at"] != "2026-03-10T12:00:00Z" {
				t.Errorf("archived_at %v, want the time of the DELETE", p["archived_at"])
			}
			if g := must(t, s, 200, "GET", "/v1/plans/"+plan, f.key, nil).JSON(t); g["archived_at"] == nil {
				t.Errorf("an archived plan reads without archived_at: %v", g)
			}
		})
		t.Run("an archived plan is not in the default list", func(t *testing.T) {
			if got := listed("/v1/plans"); len(got) != 1 || got[0] != keep {
				t.Errorf("GET /v1/plans lists %v, want only %s", got, keep)
			}
		})
		t.Run("include_archived=true lists an archived plan", func(t *testing.T) {
			if got := listed("/v1/plans?include_archived=true"); len(got) != 2 {
				t.Errorf("GET /v1/plans?include_archived=true lists %v, want both plans", got)
			}
		})
		t.Run("a new subscription to an archived plan is 422", func(t *testing.T) {
			f.with(t).customer("beta", "USD")
			wantError(t, call(t, s, "POST", "/v1/subscriptions", f.key, obj{"customer": "beta", "plan": "old"}), 422, "validation_failed", "plan")
		})
		t.Run("existing subscriptions to an archived plan remain", func(t *testing.T) {
			r := must(t, s, 200, "GET", "/v1/subscriptions/"+sub, f.key, nil).JSON(t)
			if r["status"] != "active" || r["plan"] != "old" {
				t.Errorf("subscription after archiving its plan: %v", r)
			}
		})
		t.Run("archiving twice is harmless", func(t *testing.T) {
			s.Clock.Advance(time.Hour)
			defer s.Clock.Set(now)
			p := must(t, s, 200, "DELETE", "/v1/plans/"+plan, f.key, nil).JSON(t)
			if p["archived_at"] != "2026-03-10T12:00:00Z" {
				t.Errorf("archiving again moved archived_at to %v", p["archived_at"])
			}
		})
		t.Run("DELETE archives a meter, which leaves the default list", func(t *testing.T) {
			m := must(t, s, 200, "DELETE", "/v1/meters/"+meter, f.key, nil).JSON(t)
			if m["archived_at"] == nil {
				t.Errorf("meter after DELETE: %v", m)
			}
			if got := listed("/v1/meters"); len(got) != 0 {
				t.Errorf("GET /v1/meters lists %v after archiving the only meter", got)
			}
			if got := listed("/v1/meters?include_archived=true"); len(got) != 1 || got[0] != meter {
				t.Errorf("GET /v1/meters?include_archived=true lists %v", got)
			}
		})
		t.Run("a new price on an archived meter is refused", func(t *testing.T) {
			wantError(t, call(t, s, "POST", "/v1/plans", f.key, planWith("new", obj{"key": "c", "type": "usage", "meter": "calls", "model": "per_unit", "amount": "1"})),
				422, "validation_failed", "prices[0].meter")
		})
		t.Run("events of an archived meter are still taken", func(t *testing.T) {
			res := f.with(t).batch(event("late-1", "api.call", "acme", now, nil))
			if res.Accepted != 1 {
				t.Errorf("event after archiving its meter: %+v", res)
			}
		})
		t.Run("an archived meter's key stays taken", func(t *testing.T) {
			wantError(t, call(t, s, "POST", "/v1/meters", f.key, obj{"key": "calls", "event_name": "x", "aggregation": obj{"type": "count"}}), 409, "duplicate_key")
		})
	})
}

// TestMeterAndCustomerUpdates checks PATCH on meters and customers.
func TestMeterAndCustomerUpdates(t *testing.T) {
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "updates")
		meter := f.countMeter("calls", "api.call")
		f.flatPlan("pro", "USD")
		cus := f.customer("acme", "USD")
		bare := f.customer("bare", "USD")

		m := must(t, s, 200, "PATCH", "/v1/meters/"+meter, f.key, obj{"name": "API calls", "unit": "calls"}).JSON(t)
		if m["name"] != "API calls" || m["unit"] != "calls" || m["event_name"] != "api.call" {
			t.Errorf("meter after PATCH: %v", m)
		}
		wantError(t, call(t, s, "PATCH", "/v1/meters/"+meter, f.key, obj{"name": ""}), 422, "validation_failed", "name")

		c := must(t, s, 200, "PATCH", "/v1/customers/"+cus, f.key, obj{"name": "Acme Inc", "timezone": "Europe/Berlin"}).JSON(t)
		if c["name"] != "Acme Inc" || c["timezone"] != "Europe/Berlin" || c["external_id"] != "acme" {
			t.Errorf("customer after PATCH: %v", c)
		}
		f.subscribe("acme", "pro")
		wantError(t, call(t, s, "PATCH", "/v1/customers/"+cus, f.key, obj{"currency": "EUR"}), 409, "customer_in_use")
		if c := must(t, s, 200, "PATCH", "/v1/customers/"+bare, f.key, obj{"currency": "eur"}).JSON(t); c["currency"] != "EUR" {
			t.Errorf("a customer without subscriptions may change currency: %v", c)
		}
	})
}
