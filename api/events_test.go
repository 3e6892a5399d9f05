package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally/app/apptest"
)

// TestEventIdempotency checks that an event id is counted once per tenant,
// however often it is sent: twice in a batch, in two batches, or in
// concurrent requests. The first payload wins.
func TestEventIdempotency(t *testing.T) {
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "idempotency")
		f.sumMeter("tokens", "llm.usage", "tokens")
		cus := f.customer("acme", "USD")
		ev := func(id string, tokens int) obj {
			return event(id, "llm.usage", "acme", day(9, 10), obj{"tokens": tokens})
		}

		t.Run("a duplicate inside one batch is counted once and the first wins", func(t *testing.T) {
			res := f.with(t).batch(ev("d-1", 10), ev("d-2", 20), ev("d-1", 999), ev("d-1", 1000))
			if res.Accepted != 2 || res.Duplicates != 2 || len(res.Rejected) != 0 {
				t.Errorf("batch with a repeated id: %+v, want accepted 2, duplicates 2", res)
			}
		})
		t.Run("a batch sent again is all duplicates", func(t *testing.T) {
			res := f.with(t).batch(ev("d-1", 5), ev("d-2", 5))
			if res.Accepted != 0 || res.Duplicates != 2 {
				t.Errorf("resent batch: %+v, want accepted 0, duplicates 2", res)
			}
		})
		t.Run("a batch overlapping an earlier one stores only the new ids", func(t *testing.T) {
			res := f.with(t).batch(ev("d-2", 5), ev("d-3", 30))
			if res.Accepted != 1 || res.Duplicates != 1 {
				t.Errorf("overlapping batch: %+v, want accepted 1, duplicates 1", res)
			}
		})
		t.Run("a single event sent again answers 202 with duplicates 1", func(t *testing.T) {
			var res ingestResult
			must(t, s, 202, "POST", "/v1/events", f.key, ev("d-3", 77)).Decode(t, &res)
			if res.Accepted != 0 || res.Duplicates != 1 {
				t.Errorf("repeated single event: %+v", res)
			}
		})
		t.Run("the first payload of each id is the one stored and counted", func(t *testing.T) {
			events, _ := all[storedEvent](t, s, f.key, "/v1/events", 50)
			got := map[string]string{}
			for _, e := range events {
				var p map[string]json.RawMessage
				_ = json.Unmarshal(e.Properties, &p)
				got[e.ID] = string(p["tokens"])
			}
			if len(events) != 3 || got["d-1"] != "10" || got["d-2"] != "20" || got["d-3"] != "30" {
				t.Errorf("stored %v (%d rows), want d-1=10, d-2=20, d-3=30 once each", got, len(events))
			}
			r := must(t, s, 200, "GET", "/v1/customers/"+cus+"/usage"+q("meter", "tokens", "from", "2026-03-09T00:00:00Z", "to", "2026-03-10T00:00:00Z"), f.key, nil).JSON(t)
			wantDecimal(t, "tokens on March 9", r["data"].([]any)[0].(map[string]any)["value"], "60")
		})

		t.Run("concurrent requests sending one batch store each event once", func(t *testing.T) {
			const workers, size = 8, 200
			events := make([]any, size)
			for i := range events {
				events[i] = event(fmt.Sprintf("c-%03d", i), "llm.usage", "acme", day(8, 0).Add(time.Duration(i)*time.Minute), obj{"tokens": 1})
			}
			body, _ := json.Marshal(obj{"events": events})
			type outcome struct {
				res ingestResult
				r   reply
				err error
			}
			out := make(chan outcome, workers)
			var start, done sync.WaitGroup
			start.Add(1)
			for w := 0; w < workers; w++ {
				done.Add(1)
				go func() {
					defer done.Done()
					start.Wait()
					r, err := send(s, "POST", "/v1/events/batch", f.key, body)
					o := outcome{r: r, err: err}
					if err == nil && r.Status == 202 {
						o.err = json.Unmarshal(r.Body, &o.res)
					}
					out <- o
				}()
			}
			start.Done()
			done.Wait()
			close(out)
			accepted, duplicates := 0, 0
			for o := range out {
				if o.err != nil || o.r.Status != 202 {
					t.Errorf("concurrent batch: status %d, %v: %s", o.r.Status, o.err, o.r.Body)
					continue
				}
				if o.res.Accepted+o.res.Duplicates != size || len(o.res.Rejected) != 0 {
					t.Errorf("one reply does not account for its %d events: %+v", size, o.res)
				}
				accepted += o.res.Accepted
				duplicates += o.res.Duplicates
			}
			if accepted != size || duplicates != (workers-1)*size {
				t.Errorf("accepted %d and duplicates %d over %d concurrent copies, want %d and %d", accepted, duplicates, workers, size, (workers-1)*size)
			}
			listed, _ := all[storedEvent](t, s, f.key, "/v1/events?from=2026-03-08T00:00:00Z&to=2026-03-09T00:00:00Z", 500)
			seen := map[string]int{}
			for _, e := range listed {
				seen[e.ID]++
			}
			if len(listed) != size || len(seen) != size {
				t.Errorf("GET /v1/events lists %d events (%d distinct), want %d once each", len(listed), len(seen), size)
			}
			r := must(t, s, 200, "GET", "/v1/customers/"+cus+"/usage"+q("meter", "tokens", "from", "2026-03-08T00:00:00Z", "to", "2026-03-09T00:00:00Z"), f.key, nil).JSON(t)
			wantDecimal(t, "tokens on March 8", r["data"].([]any)[0].(map[string]any)["value"], fmt.Sprint(size))
		})
	})
}

// TestEventRejections checks that bad events are rejected one by one, by
// index and field path, while the good events of the batch are stored.
func TestEventRejections(t *testing.T) {
	future := now.Add(5*time.Minute + time.Second)
	cases := []struct {
		name   string
		event  any
		fields []string
		// message, if set, must appear in the detail of the first field.
		message []string
	}{
		{"an event without an id is rejected with id named",
			obj{"event_name": "api.call", "customer": "acme"}, []string{"id"}, nil},
		{"an event whose id is blank is rejected with id named",
			obj{"id": "  ", "event_name": "api.call", "customer": "acme"}, []string{"id"}, nil},
		{"an event without an event_name is rejected with event_name named",
			obj{"id": "r-2", "customer": "acme"}, []string{"event_name"}, nil},
		{"an event without a customer is rejected with customer named",
			obj{"id": "r-3", "event_name": "api.call"}, []string{"customer"}, nil},
		{"an event missing all three required fields has all three named",
			obj{"properties": obj{}}, []string{"id", "event_name", "customer"}, nil},
		{"an event missing the field a sum meter reads is rejected naming meter and field",
			event("r-5", "llm.usage", "acme", now, obj{"model": "gpt"}), []string{"properties.prompt_tokens"}, []string{`"input_tokens"`, "missing"}},
		{"an event whose sum field is not a decimal is rejected naming meter and field",
			event("r-6", "llm.usage", "acme", now, obj{"prompt_tokens": "lots"}), []string{"properties.prompt_tokens"}, []string{`"input_tokens"`, "decimal"}},
		{"an event whose sum field is a boolean is rejected",
			event("r-7", "llm.usage", "acme", now, obj{"prompt_tokens": true}), []string{"properties.prompt_tokens"}, []string{`"input_tokens"`}},
		{"an event whose sum field is an object is rejected",
			event("r-8", "llm.usage", "acme", now, obj{"prompt_tokens": obj{"n": 1}}), []string{"properties.prompt_tokens"}, []string{`"input_tokens"`}},
		{"an event two meters read wrongly names both fields",
			event("r-9", "llm.usage", "acme", now, obj{"model": "o1", "prompt_tokens": "x"}), []string{"properties.prompt_tokens", "properties.latency_ms"}, nil},
		{"an event more than 5 minutes in the future is rejected with timestamp named",
			event("r-10", "api.call", "acme", future, nil), []string{"timestamp"}, nil},
		{"a timestamp that is not RFC 3339 is rejected with timestamp named",
			obj{"id": "r-11", "event_name": "api.call", "customer": "acme", "timestamp": "2026-03-10 12:00"}, []string{"timestamp"}, nil},
		{"properties given as a string are rejected with properties named",
			obj{"id": "r-12", "event_name": "api.call", "customer": "acme", "properties": "model=o1"}, []string{"properties"}, nil},
		{"properties given as an array are rejected with properties named",
			obj{"id": "r-13", "event_name": "api.call", "customer": "acme", "properties": list{1, 2}}, []string{"properties"}, nil},
		{"an id given as a number is rejected with id named",
			obj{"id": 14, "event_name": "api.call", "customer": "acme"}, []string{"id"}, nil},
		{"an id longer than 255 characters is rejected with id named",
			obj{"id": strings.Repeat("x", 256), "event_name": "api.call", "customer": "acme"}, []string{"id"}, nil},
		{"NUL characters in id, event_name and customer are rejected with each named",
			obj{"id": "r-\u0000", "event_name": "api.call\u0000", "customer": "\u0000acme"}, []string{"id", "event_name", "customer"}, nil},
		{"a NUL character in a property is rejected with properties named",
			event("r-17", "other.event", "acme", now, obj{"note": "a\u0000b"}), []string{"properties"}, []string{"NUL"}},
		{"a lone UTF-16 surrogate in a property is rejected with that property named",
			json.RawMessage(`{"id": "r-18", "event_name": "other.event", "customer": "acme", "properties": {"note": "\ud800"}}`), []string{"properties.note"}, []string{"surrogate"}},
		{"a number beyond any store's range in a property is rejected with properties named",
			json.RawMessage(`{"id": "r-19", "event_name": "other.event", "customer": "acme", "properties": {"n": 1e999999}}`), []string{"properties"}, []string{"range"}},
		{"a number with more than 16383 decimal places is rejected with properties named",
			json.RawMessage(`{"id": "r-20", "event_name": "other.event", "customer": "acme", "properties": {"deep": {"n": -1e-16384}}}`), []string{"properties"}, []string{"range"}},
	}
	ok := []any{
		event("ok-1", "api.call", "acme", now.Add(-48*time.Hour), nil),
		// A timestamp exactly 5 minutes ahead is still accepted.
		event("ok-2", "api.call", "acme", now.Add(5*time.Minute), nil),
		// The sum meter filters on model o1: other models need no field.
		event("ok-3", "llm.usage", "acme", now, obj{"model": "gpt", "prompt_tokens": 5}),
		event("ok-4", "llm.usage", "acme", now, obj{"prompt_tokens": "500000", "model": "gpt"}),
		// A meter's field given as a decimal string or a number in exponent form.
		event("ok-5", "llm.usage", "acme", now, obj{"prompt_tokens": json.Number("1.5e3"), "model": "o1", "latency_ms": "12.5"}),
		// No timestamp means the time of receipt.
		obj{"id": "ok-6", "event_name": "api.call", "customer": "acme"},
		// An event no meter reads needs no particular properties.
		event("ok-7", "other.event", "acme", now, obj{"anything": list{1}}),
		// Large and tiny numbers within range, and escaped surrogate pairs, are kept.
		json.RawMessage(`{"id": "ok-8", "event_name": "other.event", "customer": "acme", "properties": {"a": 1.5e300, "b": -2E-300, "c": 0e99, "s": "\ud83d\ude00 \u00e9"}}`),
	}
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "rejections")
		f.countMeter("calls", "api.call")
		f.sumMeter("input_tokens", "llm.usage", "prompt_tokens")
		f.create("/v1/meters", obj{"key": "latency", "event_name": "llm.usage", "aggregation": obj{"type": "max", "field": "latency_ms"},
			"filters": obj{"model": list{"o1"}}})

		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				// Alone: 422 with the problems.
				e := wantError(t, call(t, s, "POST", "/v1/events", f.key, c.event), 422, "", c.fields...)
				for _, m := range c.message {
					if !strings.Contains(e.detail(c.fields[0]), m) {
						t.Errorf("detail of %s is %q, want it to mention %s", c.fields[0], e.detail(c.fields[0]), m)
					}
				}
			})
		}
		t.Run("a batch stores its good events and reports each bad one by index", func(t *testing.T) {
			var batch []any
			want := map[int][]string{}
			for i, c := range cases {
				batch = append(batch, c.event)
				want[i] = c.fields
				if i < len(ok) {
					batch = append(batch, ok[i])
				}
			}
			res := f.with(t).batch(batch...)
			if res.Accepted != len(ok) || res.Duplicates != 0 {
				t.Errorf("accepted %d, duplicates %d; want %d accepted", res.Accepted, res.Duplicates, len(ok))
			}
			// Index in the batch → index of the case.
			caseAt := map[int]int{}
			for i, n := 0, 0; i < len(cases); i++ {
				caseAt[n] = i
				n++
				if i < len(ok) {
					n++
				}
			}
			got := map[int]bool{}
			for _, r := range res.Rejected {
				ci, isCase := caseAt[r.Index]
				if !isCase {
					t.Errorf("event %d of the batch is good but was rejected: %+v", r.Index, r.Error)
					continue
				}
				got[ci] = true
				var fields []string
				for _, d := range r.Error.Details {
					fields = append(fields, d.Field)
				}
				if strings.Join(sorted(fields), ",") != strings.Join(sorted(want[ci]), ",") {
					t.Errorf("rejection of event %d (%s) names %v, want %v", r.Index, cases[ci].name, fields, want[ci])
				}
				if r.Error.Code == "" || r.Error.Message == "" {
					t.Errorf("rejection %d without code or message: %+v", r.Index, r.Error)
				}
			}
			if len(got) != len(cases) || len(res.Rejected) != len(cases) {
				t.Errorf("%d rejections for %d bad events", len(res.Rejected), len(cases))
			}
			listed, _ := all[storedEvent](t, s, f.key, "/v1/events", 100)
			ids := map[string]storedEvent{}
			for _, e := range listed {
				ids[e.ID] = e
			}
			if len(listed) != len(ok) {
				t.Errorf("stored %d events, want the %d good ones", len(listed), len(ok))
			}
			if ids["ok-6"].Timestamp != now.Format(time.RFC3339) {
				t.Errorf("an event without timestamp is stored at %q, want the time of receipt %s", ids["ok-6"].Timestamp, now.Format(time.RFC3339))
			}
		})
	})
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// TestEventBatchLimits checks the batch size bounds and malformed batches.
func TestEventBatchLimits(t *testing.T) {
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "limits")
		f.countMeter("calls", "api.call")
		mk := func(prefix string, n int) []any {
			out := make([]any, n)
			for i := range out {
				out[i] = event(fmt.Sprintf("%s-%04d", prefix, i), "api.call", "acme", day(9, 0).Add(time.Duration(i)*time.Second), nil)
			}
			return out
		}
		t.Run("a batch of 1000 events is accepted whole", func(t *testing.T) {
			res := f.with(t).batch(mk("k", 1000)...)
			if res.Accepted != 1000 || res.Duplicates != 0 || len(res.Rejected) != 0 {
				t.Errorf("batch of 1000: accepted %d, duplicates %d, %d rejected", res.Accepted, res.Duplicates, len(res.Rejected))
			}
		})
		t.Run("a batch of 1001 events is refused whole with events named", func(t *testing.T) {
			wantError(t, call(t, s, "POST", "/v1/events/batch", f.key, obj{"events": mk("x", 1001)}), 422, "validation_failed", "events")
			listed, _ := all[storedEvent](t, s, f.key, "/v1/events", 500)
			if len(listed) != 1000 {
				t.Errorf("%d events stored, want only the 1000 of the accepted batch", len(listed))
			}
		})
		t.Run("an empty batch is refused with events named", func(t *testing.T) {
			wantError(t, call(t, s, "POST", "/v1/events/batch", f.key, `{"events": []}`), 422, "validation_failed", "events")
			wantError(t, call(t, s, "POST", "/v1/events/batch", f.key, `{}`), 422, "validation_failed", "events")
		})
		t.Run("events that are not an array are refused with events named", func(t *testing.T) {
			wantError(t, call(t, s, "POST", "/v1/events/batch", f.key, `{"events": {"id": "x"}}`), 422, "validation_failed", "events")
		})
		t.Run("a batch that is not JSON is malformed", func(t *testing.T) {
			wantError(t, call(t, s, "POST", "/v1/events/batch", f.key, `{"events": [`), 400, "malformed_request")
			wantError(t, call(t, s, "POST", "/v1/events", f.key, `{"id": "x",`), 400, "malformed_request")
		})
		t.Run("a batch element that is not an object is rejected by index", func(t *testing.T) {
			res := f.with(t).batch(event("n-1", "api.call", "acme", now, nil), "text", 5, nil)
			if res.Accepted != 1 || len(res.Rejected) != 3 {
				t.Fatalf("batch with non-objects: %+v", res)
			}
			idx := map[int]bool{}
			for _, r := range res.Rejected {
				idx[r.Index] = true
				if r.Error.Code == "" {
					t.Errorf("rejection %d without a code", r.Index)
				}
			}
			if !idx[1] || !idx[2] || !idx[3] {
				t.Errorf("rejected indexes %v, want 1, 2 and 3", idx)
			}
		})
	})
}

// TestEventsBeforeTheirCustomer checks that events for an external_id not
// yet created are stored and count once the customer exists.
func TestEventsBeforeTheirCustomer(t *testing.T) {
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "early")
		f.countMeter("calls", "api.call")
		res := f.with(t).batch(
			event("e-1", "api.call", "not-yet", day(9, 8), nil),
			event("e-2", "api.call", "not-yet", day(9, 9), nil),
		)
		if res.Accepted != 2 || len(res.Rejected) != 0 {
			t.Fatalf("events for a customer not created yet: %+v, want both accepted", res)
		}
		listed, _ := all[storedEvent](t, s, f.key, "/v1/events?customer=not-yet", 50)
		if len(listed) != 2 {
			t.Errorf("GET /v1/events?customer=not-yet lists %d events, want 2", len(listed))
		}
		cus := f.customer("not-yet", "USD")
		r := must(t, s, 200, "GET", "/v1/customers/"+cus+"/usage"+q("meter", "calls", "from", "2026-03-09T00:00:00Z", "to", "2026-03-10T00:00:00Z"), f.key, nil).JSON(t)
		wantDecimal(t, "calls before the customer existed", r["data"].([]any)[0].(map[string]any)["value"], "2")
	})
}
