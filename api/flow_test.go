package api_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/app/apptest"
)

// TestTheWholeFlow walks the path of a new client: a tenant, meters, a plan,
// a customer and a subscription, then events, and reads them back as a list
// and as a usage series.
func TestTheWholeFlow(t *testing.T) {
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		// The root key creates a tenant and gets its admin key once.
		ten := must(t, s, 201, "POST", "/v1/tenants", apptest.RootKey, obj{"name": "Acme AI"}).JSON(t)
		if id, _ := ten["id"].(string); !strings.HasPrefix(id, "ten_") {
			t.Errorf("tenant id %q lacks the ten_ prefix", id)
		}
		if ten["name"] != "Acme AI" {
			t.Errorf("tenant name %v", ten["name"])
		}
		admin, _ := ten["api_key"].(string)
		if admin == "" {
			t.Fatalf("no api_key in %v", ten)
		}

		calls := must(t, s, 201, "POST", "/v1/meters", admin, obj{"key": "api_calls", "name": "API calls", "event_name": "api.call",
			"aggregation": obj{"type": "count"}, "unit": "calls"}).JSON(t)
		if id, _ := calls["id"].(string); !strings.HasPrefix(id, "mtr_") {
			t.Errorf("meter id %q lacks the mtr_ prefix", id)
		}
		if agg, _ := calls["aggregation"].(map[string]any); agg["type"] != "count" || calls["event_name"] != "api.call" || calls["unit"] != "calls" {
			t.Errorf("meter echoed wrongly: %v", calls)
		}
		tokens := must(t, s, 201, "POST", "/v1/meters", admin, obj{"key": "tokens", "event_name": "llm.usage",
			"aggregation": obj{"type": "sum", "field": "tokens"}}).JSON(t)
		if tokens["name"] != "tokens" {
			t.Errorf("a meter without a name is named after its key, got %v", tokens["name"])
		}

		plan := must(t, s, 201, "POST", "/v1/plans", admin, obj{"key": "pro", "name": "Pro", "currency": "usd", "interval": "month",
			"prices": list{
				obj{"key": "base", "type": "fixed", "model": "flat", "amount": "19.00"},
				obj{"key": "calls", "type": "usage", "meter": "api_calls", "model": "per_unit", "amount": 0.001},
				obj{"key": "tokens", "type": "usage", "meter": "tokens", "model": "tiered", "tiers": list{
					obj{"up_to": "1000000", "unit_amount": "0.000002"},
					obj{"up_to": nil, "unit_amount": "0.0000015", "flat_amount": "1"},
				}},
			}}).JSON(t)
		if id, _ := plan["id"].(string); !strings.HasPrefix(id, "pln_") {
			t.Errorf("plan id %q lacks the pln_ prefix", id)
		}
		if plan["currency"] != "USD" {
			t.Errorf("plan currency %v, want USD (upper-cased)", plan["currency"])
		}
		prices, _ := plan["prices"].([]any)
		if len(prices) != 3 {
			t.Fatalf("plan has %d prices, want 3: %v", len(prices), plan)
		}
		base, callsPrice, tiered := prices[0].(map[string]any), prices[1].(map[string]any), prices[2].(map[string]any)
		if id, _ := base["id"].(string); !strings.HasPrefix(id, "prc_") {
			t.Errorf("price id %q lacks the prc_ prefix", id)
		}
		wantDecimal(t, "base amount", base["amount"], "19.00")
		if base["cadence"] != "advance" {
			t.Errorf("a fixed fee defaults to cadence advance, got %v", base["cadence"])
		}
		wantDecimal(t, "per-unit amount sent as a JSON number", callsPrice["amount"], "0.001")
		if callsPrice["meter"] != "api_calls" || callsPrice["cadence"] != "arrear" {
			t.Errorf("usage price echoed wrongly: %v", callsPrice)
		}
		wantDecimal(t, "free_units default", callsPrice["free_units"], "0")
		if tiered["tier_mode"] != "graduated" {
			t.Errorf("tier_mode defaults to graduated, got %v", tiered["tier_mode"])
		}
		tiers, _ := tiered["tiers"].([]any)
		if len(tiers) != 2 {
			t.Fatalf("tiers %v", tiered["tiers"])
		}
		t0, t1 := tiers[0].(map[string]any), tiers[1].(map[string]any)
		wantDecimal(t, "tiers[0].up_to", t0["up_to"], "1000000")
		wantDecimal(t, "tiers[0].unit_amount", t0["unit_amount"], "0.000002")
		wantDecimal(t, "tiers[0].flat_amount default", t0["flat_amount"], "0")
		if t1["up_to"] != nil {
			t.Errorf("the last tier's up_to is %v, want null", t1["up_to"])
		}
		wantDecimal(t, "tiers[1].flat_amount", t1["flat_amount"], "1")

		cus := must(t, s, 201, "POST", "/v1/customers", admin, obj{"external_id": "acme", "name": "Acme", "email": "billing@acme.test", "currency": "USD"}).JSON(t)
		cusID, _ := cus["id"].(string)
		if !strings.HasPrefix(cusID, "cus_") {
			t.Errorf("customer id %q lacks the cus_ prefix", cusID)
		}
		if cus["timezone"] != "UTC" {
			t.Errorf("customer timezone defaults to UTC, got %v", cus["timezone"])
		}

		sub := must(t, s, 201, "POST", "/v1/subscriptions", admin, obj{"customer": "acme", "plan": "pro", "start_at": "2026-02-15T09:30:00Z"}).JSON(t)
		subID, _ := sub["id"].(string)
		if !strings.HasPrefix(subID, "sub_") {
			t.Errorf("subscription id %q lacks the sub_ prefix", subID)
		}
		checkSub := func(sub map[string]any) {
			t.Helper()
			if sub["customer"] != "acme" || sub["customer_id"] != cusID || sub["plan"] != "pro" || sub["plan_id"] != plan["id"] {
				t.Errorf("subscription names the wrong customer or plan: %v", sub)
			}
			if sub["status"] != "active" || sub["billing_cycle"] != "calendar" || sub["start_at"] != "2026-02-15T09:30:00Z" {
				t.Errorf("subscription status, cycle or start: %v", sub)
			}
			cp, _ := sub["current_period"].(map[string]any)
			if cp["start"] != "2026-03-01T00:00:00Z" || cp["end"] != "2026-04-01T00:00:00Z" {
				t.Errorf("current_period %v, want [2026-03-01, 2026-04-01) (calendar months, now is %s)", sub["current_period"], now)
			}
		}
		checkSub(sub)
		checkSub(must(t, s, 200, "GET", "/v1/subscriptions/"+subID, admin, nil).JSON(t))
		var subs page[map[string]any]
		must(t, s, 200, "GET", "/v1/subscriptions"+q("customer", cusID), admin, nil).Decode(t, &subs)
		if len(subs.Data) != 1 || subs.Data[0]["id"] != subID {
			t.Errorf("GET /v1/subscriptions?customer= lists %v, want the one subscription", idsOf(subs.Data))
		}

		// One event alone, with the admin key.
		var one ingestResult
		must(t, s, 202, "POST", "/v1/events", admin, event("c-1", "api.call", "acme", day(8, 10), nil)).Decode(t, &one)
		if one.Accepted != 1 || one.Duplicates != 0 || len(one.Rejected) != 0 {
			t.Errorf("single event: %+v, want accepted 1", one)
		}
		// A batch, with an ingest key. Sums given as strings and numbers
		// stay exact, far beyond what a float64 holds.
		ingest := fixture{t: t, s: s, key: admin}.ingestKey()
		batch := []any{
			event("c-2", "api.call", "acme", day(8, 11), obj{"path": "/v1/chat"}),
			event("c-3", "api.call", "acme", day(8, 23), nil),
			event("c-4", "api.call", "acme", day(9, 0), nil),
			event("c-5", "api.call", "acme", day(9, 12), nil),
			event("c-6", "api.call", "acme", day(9, 23), nil),
			event("c-7", "api.call", "acme", day(10, 11), nil),
			event("t-1", "llm.usage", "acme", day(8, 10), obj{"tokens": "500000"}),
			event("t-2", "llm.usage", "acme", day(8, 12), obj{"tokens": 1500}),
			event("t-3", "llm.usage", "acme", day(9, 1), obj{"tokens": json.Number("123456789012345.678")}),
			event("t-4", "llm.usage", "acme", day(9, 2), obj{"tokens": "876543210987654.322"}),
			event("t-5", "llm.usage", "acme", day(10, 3), obj{"tokens": "0.000000000001"}),
			event("t-6", "llm.usage", "acme", day(10, 4), obj{"tokens": json.Number("999999999999999.999999999999")}),
			event("o-1", "llm.usage", "someone-else", day(9, 4), obj{"tokens": 7}),
		}
		var res ingestResult
		must(t, s, 202, "POST", "/v1/events/batch", ingest, obj{"events": batch}).Decode(t, &res)
		if res.Accepted != len(batch) || res.Duplicates != 0 || len(res.Rejected) != 0 {
			t.Fatalf("batch: %+v, want all %d accepted", res, len(batch))
		}

		// The list shows every event once, newest first, as sent.
		events, _ := all[storedEvent](t, s, admin, "/v1/events", 500)
		if len(events) != len(batch)+1 {
			t.Fatalf("GET /v1/events lists %d events, want %d", len(events), len(batch)+1)
		}
		byID := map[string]storedEvent{}
		for i, e := range events {
			if _, dup := byID[e.ID]; dup {
				t.Errorf("event %s listed twice", e.ID)
			}
			byID[e.ID] = e
			if i > 0 && e.Timestamp > events[i-1].Timestamp {
				t.Errorf("events not newest first: %s after %s", e.Timestamp, events[i-1].Timestamp)
			}
		}
		if e := byID["c-2"]; e.EventName != "api.call" || e.Customer != "acme" || e.Timestamp != "2026-03-08T11:00:00Z" || e.ReceivedAt != "2026-03-10T12:00:00Z" {
			t.Errorf("event c-2 stored as %+v", e)
		}
		if e := byID["c-1"]; string(e.Properties) != "{}" {
			t.Errorf("an event without properties lists them as %s, want {}", e.Properties)
		}
		var props map[string]json.RawMessage
		_ = json.Unmarshal(byID["t-1"].Properties, &props)
		if string(props["tokens"]) != `"500000"` {
			t.Errorf(`t-1 tokens stored as %s, want the string "500000" as sent`, props["tokens"])
		}
		props = nil
		_ = json.Unmarshal(byID["t-6"].Properties, &props)
		wantDecimal(t, "t-6 tokens as stored", string(props["tokens"]), "999999999999999.999999999999")

		var filtered page[storedEvent]
		must(t, s, 200, "GET", "/v1/events"+q("customer", "acme", "event_name", "llm.usage", "from", "2026-03-09T00:00:00Z", "to", "2026-03-10T03:00:00Z"), admin, nil).Decode(t, &filtered)
		var got []string
		for _, e := range filtered.Data {
			got = append(got, e.ID)
		}
		if strings.Join(got, ",") != "t-4,t-3" {
			t.Errorf("filtered list %v, want [t-4 t-3] (customer, name and [from, to) applied)", got)
		}

		usage := func(meter, granularity, from, to string) []map[string]any {
			t.Helper()
			r := must(t, s, 200, "GET", "/v1/customers/"+cusID+"/usage"+q("meter", meter, "from", from, "to", to, "granularity", granularity), admin, nil).JSON(t)
			if r["meter"] != meter || r["customer"] != "acme" || r["granularity"] != granularity {
				t.Errorf("usage header %v", r)
			}
			pts, _ := r["data"].([]any)
			out := make([]map[string]any, len(pts))
			for i, p := range pts {
				out[i] = p.(map[string]any)
			}
			return out
		}
		for _, c := range []struct {
			meter string
			want  []string
		}{
			{"api_calls", []string{"0", "3", "3", "1"}},
			{"tokens", []string{"0", "501500", "1000000000000000", "1000000000000000"}},
		} {
			pts := usage(c.meter, "day", "2026-03-07T00:00:00Z", "2026-03-11T00:00:00Z")
			if len(pts) != 4 {
				t.Fatalf("%s: %d day points, want 4: %v", c.meter, len(pts), pts)
			}
			for i, p := range pts {
				start := time.Date(2026, 3, 7+i, 0, 0, 0, 0, time.UTC)
				if p["start"] != start.Format(time.RFC3339) || p["end"] != start.AddDate(0, 0, 1).Format(time.RFC3339) {
					t.Errorf("%s point %d spans [%v, %v), want the day from %s", c.meter, i, p["start"], p["end"], start.Format(time.RFC3339))
				}
				wantDecimal(t, c.meter+" on "+start.Format("Jan 2"), p["value"], c.want[i])
			}
		}
		hours := usage("api_calls", "hour", "2026-03-08T10:00:00Z", "2026-03-08T12:00:00Z")
		if len(hours) != 2 {
			t.Fatalf("hour points %v", hours)
		}
		wantDecimal(t, "calls 10:00-11:00", hours[0]["value"], "1")
		wantDecimal(t, "calls 11:00-12:00", hours[1]["value"], "1")

		// Day buckets follow the customer's time zone: 23:30 UTC on March 8
		// is already March 9 in Berlin.
		berlin := must(t, s, 201, "POST", "/v1/customers", admin, obj{"external_id": "berlin", "currency": "EUR", "timezone": "Europe/Berlin"}).JSON(t)
		must(t, s, 202, "POST", "/v1/events", ingest, event("b-1", "api.call", "berlin", time.Date(2026, 3, 8, 23, 30, 0, 0, time.UTC), nil))
		r := must(t, s, 200, "GET", "/v1/customers/"+berlin["id"].(string)+"/usage"+q("meter", "api_calls", "from", "2026-03-08T00:00:00+01:00", "to", "2026-03-10T00:00:00+01:00"), admin, nil).JSON(t)
		pts, _ := r["data"].([]any)
		if len(pts) != 2 {
			t.Fatalf("berlin points %v", r)
		}
		p0, p1 := pts[0].(map[string]any), pts[1].(map[string]any)
		if p1["start"] != "2026-03-08T23:00:00Z" {
			t.Errorf("Berlin's March 9 starts at %v, want 2026-03-08T23:00:00Z", p1["start"])
		}
		wantDecimal(t, "berlin March 8", p0["value"], "0")
		wantDecimal(t, "berlin March 9", p1["value"], "1")
	})
}

// day is 2026-03-<d> at hour h, UTC.
func day(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, time.UTC) }
