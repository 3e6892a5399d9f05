package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/tallyhq/tally/app/apptest"
)

// compatFixture is a tenant with a sum meter "tokens" on event "llm.usage",
// a customer "acme" subscribed (external_id "sub-acme") to a plan billing
// 0.01 per token.
func compatFixture(t *testing.T, s *apptest.Server) (fixture, string) {
	f := newFixture(t, s, "compat")
	f.sumMeter("tokens", "llm.usage", "tokens")
	f.create("/v1/plans", obj{"key": "metered", "currency": "USD", "interval": "month",
		"prices": list{obj{"key": "tok", "type": "usage", "meter": "tokens", "model": "per_unit", "amount": "0.01"}}})
	f.customer("acme", "USD")
	sub := f.create("/v1/subscriptions", obj{"customer": "acme", "plan": "metered", "start_at": "2026-02-15T00:00:00Z", "external_id": "sub-acme"})
	if sub["external_id"] != "sub-acme" {
		t.Fatalf("subscription external_id = %v, want sub-acme", sub["external_id"])
	}
	return f, sub["id"].(string)
}

// proposedTokens is the quantity the proposed invoice bills for tokens.
func proposedTokens(t *testing.T, f fixture, sub string) string {
	t.Helper()
	inv := must(t, f.s, 200, "GET", "/v1/subscriptions/"+sub+"/proposed_invoice", f.key, nil).JSON(t)
	for _, l := range inv["lines"].([]any) {
		line := l.(map[string]any)
		if line["meter"] == "tokens" {
			return line["quantity"].(string)
		}
	}
	t.Fatalf("no tokens line: %v", inv)
	return ""
}

// raw sends a request with explicit headers (no default Authorization).
func raw(t *testing.T, s *apptest.Server, method, path, body string, header ...string) reply {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	r, err := doRequest(req)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSubscriptionExternalIDIsUniqueInTheTenant(t *testing.T) {
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		f, _ := compatFixture(t, s)
		f.customer("beta", "USD")
		r := call(t, s, "POST", "/v1/subscriptions", f.key, obj{"customer": "beta", "plan": "metered", "external_id": "sub-acme"})
		wantError(t, r, 409, "duplicate_key")
		other := newFixture(t, s, "other")
		other.create("/v1/plans", obj{"key": "p", "currency": "USD", "interval": "month", "prices": list{obj{"key": "b", "type": "fixed", "model": "flat", "amount": "1"}}})
		other.customer("x", "USD")
		other.create("/v1/subscriptions", obj{"customer": "x", "plan": "p", "external_id": "sub-acme"}) // another tenant: fine
		plain := f.create("/v1/subscriptions", obj{"customer": "beta", "plan": "metered"})
		if plain["external_id"] != nil {
			t.Errorf("external_id without one = %v, want null", plain["external_id"])
		}
	})
}

func TestFlexpriceShapes(t *testing.T) {
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		f, sub := compatFixture(t, s)
		ingest := f.ingestKey()
		ev := func(id, tokens string) string {
			e := obj{"event_name": "llm.usage", "external_customer_id": "acme", "timestamp": "2026-03-09T10:00:00Z", "properties": obj{"tokens": tokens}}
			if id != "" {
				e["event_id"] = id
			}
			b, _ := json.Marshal(e)
			return string(b)
		}
		r := raw(t, s, "POST", "/v1/events", ev("fp-1", "100"), "x-api-key", ingest, "Content-Type", "application/json")
		if r.Status != 202 {
			t.Fatalf("single: %d %s", r.Status, r.Body)
		}
		if m := r.JSON(t); m["event_id"] != "fp-1" {
			t.Errorf("single reply %v", m)
		}
		// Resent: counted once.
		if r := raw(t, s, "POST", "/v1/events", ev("fp-1", "100"), "x-api-key", ingest); r.Status != 202 {
			t.Fatalf("resend: %d %s", r.Status, r.Body)
		}
		// No event_id: the server makes one.
		if r := raw(t, s, "POST", "/v1/events", ev("", "5"), "x-api-key", ingest); r.Status != 202 || !strings.HasPrefix(r.JSON(t)["event_id"].(string), "evt_") {
			t.Fatalf("without event_id: %d %s", r.Status, r.Body)
		}
		bulk := `{"events": [` + ev("fp-2", "10") + `,` + ev("fp-3", "20") + `,` + ev("fp-1", "100") + `]}`
		r = raw(t, s, "POST", "/v1/events/bulk", bulk, "x-api-key", ingest)
		if r.Status != 202 {
			t.Fatalf("bulk: %d %s", r.Status, r.Body)
		}
		var m map[string]string
		r.Decode(t, &m) // every value a string, as the SDK checks
		if m["accepted"] != "2" || m["duplicates"] != "1" {
			t.Errorf("bulk reply %v", m)
		}
		// A bad event: 400 with error.message (the SDK's typed error).
		r = raw(t, s, "POST", "/v1/events", ev("fp-bad", "lots"), "x-api-key", ingest)
		if r.Status != 400 || !strings.Contains(string(r.Body), `"message"`) {
			t.Errorf("bad event: %d %s", r.Status, r.Body)
		}
		r = raw(t, s, "POST", "/v1/events/bulk", `{"events": [`+ev("fp-bad", "lots")+`]}`, "x-api-key", ingest)
		if r.Status != 400 {
			t.Errorf("bulk of only bad events: %d %s", r.Status, r.Body)
		}
		r = raw(t, s, "POST", "/v1/events/bulk", `{"events": [`+ev("fp-4", "1")+`,`+ev("fp-bad", "lots")+`]}`, "x-api-key", ingest)
		r.Decode(t, &m)
		if r.Status != 202 || m["rejected_indexes"] != "1" || !strings.Contains(m["errors"], "events[1].properties.tokens") {
			t.Errorf("partly bad bulk: %d %s", r.Status, r.Body)
		}
		if got := proposedTokens(t, f, sub); got != "136" {
			t.Errorf("proposed tokens %s, want 136 (100 once + 5 + 10 + 20 + 1)", got)
		}
		// Tally's own shape still goes to Tally's handler.
		var res ingestResult
		must(t, s, 202, "POST", "/v1/events", f.key, event("own-1", "llm.usage", "acme", day(9, 11), obj{"tokens": 1})).Decode(t, &res)
		if res.Accepted != 1 {
			t.Errorf("Tally's own event: %+v", res)
		}
	})
}

func TestLagoShapes(t *testing.T) {
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		f, sub := compatFixture(t, s)
		ev := func(id string, ts any, tokens any) obj {
			return obj{"transaction_id": id, "external_subscription_id": "sub-acme", "code": "llm.usage", "timestamp": ts, "properties": obj{"tokens": tokens}}
		}
		r := must(t, s, 200, "POST", "/api/v1/events", f.key, obj{"event": ev("lg-1", 1773050400, 100)}) // 2026-03-09T10:00:00Z
		e := r.JSON(t)["event"].(map[string]any)
		if e["transaction_id"] != "lg-1" || e["timestamp"] != "2026-03-09T10:00:00Z" || e["external_subscription_id"] != "sub-acme" {
			t.Errorf("event reply %v", e)
		}
		must(t, s, 200, "POST", "/api/v1/events", f.key, obj{"event": ev("lg-1", 1773050400, 100)}) // resend: once
		r = must(t, s, 200, "POST", "/api/v1/events/batch", f.key, obj{"events": list{ev("lg-2", "1773050400.250", 10), ev("lg-3", 1773050401.5, 20)}})
		if n := len(r.JSON(t)["events"].([]any)); n != 2 {
			t.Errorf("batch reply holds %d events", n)
		}
		// All rejected: never a 2xx.
		r = call(t, s, "POST", "/api/v1/events/batch", f.key, obj{"events": list{ev("lg-bad", 1773050400, "lots")}})
		var le struct {
			Status       int                                   `json:"status"`
			Code         string                                `json:"code"`
			ErrorDetails map[string]map[string]json.RawMessage `json:"error_details"`
		}
		r.Decode(t, &le)
		if r.Status != 422 || le.Code != "validation_errors" || le.ErrorDetails["0"]["properties.tokens"] == nil {
			t.Errorf("all-rejected batch: %d %s", r.Status, r.Body)
		}
		// Partly rejected: 422 naming index 1; index 0 is stored.
		unknown := ev("lg-5", 1773050400, 1)
		unknown["external_subscription_id"] = "nope"
		r = call(t, s, "POST", "/api/v1/events/batch", f.key, obj{"events": list{ev("lg-4", 1773050400, 1), unknown}})
		le.ErrorDetails = nil
		r.Decode(t, &le)
		if r.Status != 422 || le.ErrorDetails["1"]["external_subscription_id"] == nil || le.ErrorDetails["0"] != nil {
			t.Errorf("partly rejected batch: %d %s", r.Status, r.Body)
		}
		// A bad single event.
		r = call(t, s, "POST", "/api/v1/events", f.key, obj{"event": ev("lg-6", "yesterday", 1)})
		if r.Status != 422 || !strings.Contains(string(r.Body), `"timestamp"`) {
			t.Errorf("bad timestamp: %d %s", r.Status, r.Body)
		}
		if got := proposedTokens(t, f, sub); got != "131" {
			t.Errorf("proposed tokens %s, want 131", got)
		}
		u := must(t, s, 200, "GET", "/api/v1/customers/acme/current_usage"+q("external_subscription_id", "sub-acme"), f.key, nil).JSON(t)["customer_usage"].(map[string]any)
		ch := u["charges_usage"].([]any)[0].(map[string]any)
		if ch["units"] != "131" || ch["billable_metric"].(map[string]any)["code"] != "tokens" || u["amount_cents"] != float64(131) || u["currency"] != "USD" ||
			u["from_datetime"] != "2026-03-01T00:00:00Z" || u["to_datetime"] != "2026-04-01T00:00:00Z" {
			t.Errorf("current_usage %v", u)
		}
		r = call(t, s, "GET", "/api/v1/customers/nobody/current_usage"+q("external_subscription_id", "sub-acme"), f.key, nil)
		if r.Status != 404 {
			t.Errorf("unknown customer: %d", r.Status)
		}
	})
}

func TestOpenMeterShapes(t *testing.T) {
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		f, sub := compatFixture(t, s)
		ce := func(id string, tokens any) obj {
			return obj{"id": id, "type": "llm.usage", "subject": "acme", "source": "test", "specversion": "1.0", "time": "2026-03-09T10:30:00Z", "data": obj{"tokens": tokens}}
		}
		enc := func(v any) string { b, _ := json.Marshal(v); return string(b) }
		auth := "Bearer " + f.ingestKey()
		if r := raw(t, s, "POST", "/api/v1/events", enc(ce("om-1", 100)), "Authorization", auth, "Content-Type", "application/cloudevents+json"); r.Status != 204 {
			t.Fatalf("single: %d %s", r.Status, r.Body)
		}
		batch := enc(list{ce("om-1", 100), ce("om-2", 10), ce("om-3", 20)})
		if r := raw(t, s, "POST", "/api/v1/events", batch, "Authorization", auth, "Content-Type", "application/cloudevents-batch+json"); r.Status != 204 {
			t.Fatalf("batch: %d %s", r.Status, r.Body)
		}
		r := raw(t, s, "POST", "/api/v1/events", enc(list{ce("om-4", 1), ce("om-bad", "lots")}), "Authorization", auth, "Content-Type", "application/cloudevents-batch+json")
		if r.Status != 400 || r.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(r.JSON(t)["detail"].(string), "event 1: data.tokens") {
			t.Errorf("partly bad batch: %d %q %s", r.Status, r.Header.Get("Content-Type"), r.Body)
		}
		if got := proposedTokens(t, f, sub); got != "131" {
			t.Errorf("proposed tokens %s, want 131", got)
		}
		var res struct {
			WindowSize string `json:"windowSize"`
			Data       []struct {
				Value       json.Number `json:"value"`
				WindowStart string      `json:"windowStart"`
				Subject     *string     `json:"subject"`
			} `json:"data"`
		}
		must(t, s, 200, "GET", "/api/v1/meters/tokens/query"+q("from", "2026-03-01T00:00:00Z", "to", "2026-03-10T12:00:00Z"), f.key, nil).Decode(t, &res)
		if len(res.Data) != 1 || res.Data[0].Value.String() != "131" {
			t.Errorf("total query %+v, want one row of 131 (the proposed invoice's quantity)", res)
		}
		must(t, s, 200, "GET", "/api/v1/meters/tokens/query?from=2026-03-09T00:00:00Z&to=2026-03-10T00:00:00Z&windowSize=HOUR&groupBy=subject", f.key, nil).Decode(t, &res)
		if len(res.Data) != 24 || res.Data[10].Value.String() != "131" || res.Data[10].Subject == nil || *res.Data[10].Subject != "acme" || res.WindowSize != "HOUR" {
			t.Errorf("hourly query %+v", res)
		}
		r = call(t, s, "POST", "/api/v1/meters/tokens/query", f.key, obj{"from": "2026-03-09T10:00:00Z", "to": "2026-03-09T11:00:00Z", "windowSize": "MINUTE", "subject": list{"acme"}})
		r.Decode(t, &res)
		if r.Status != 200 || len(res.Data) != 60 || res.Data[30].Value.String() != "131" {
			t.Errorf("minute query: %d %d rows", r.Status, len(res.Data))
		}
		if r := call(t, s, "GET", "/api/v1/meters/nope/query", f.key, nil); r.Status != 404 || r.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("unknown meter: %d %s", r.Status, r.Body)
		}
	})
}
