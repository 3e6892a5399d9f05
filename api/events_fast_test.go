package api

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// slowInputs decodes body as the event-by-event path does.
func slowInputs(t *testing.T, body string) []any {
	t.Helper()
	var req batchReq
	if err := decodeJSON([]byte(body), &req, false); err != nil {
		t.Fatalf("the event-by-event path refuses the body: %v", err)
	}
	var out []any
	for _, raw := range req.Events {
		in, err := toEventInput(raw)
		if err != nil {
			out = append(out, err.Error())
			continue
		}
		out = append(out, in)
	}
	return out
}

func TestDecodeBatchFastAgreesWithTheEventByEventPath(t *testing.T) {
	long := strings.Repeat("é", 10_001)
	cases := []struct {
		name string
		body string
		fast bool // whether the one-pass path takes it
	}{
		{"a batch of well-formed events is decoded in one pass", `{"events":[{"id":"a","event_name":"calls","customer":"c","timestamp":"2026-03-01T10:00:00Z","properties":{"n":1}},{"id":"b","event_name":"calls","customer":"c"}]}`, true},
		{"null properties and a null timestamp decode as the slow path does", `{"events":[{"id":"a","event_name":"e","customer":"c","timestamp":null,"properties":null}]}`, true},
		{"unknown fields go event by event, which ignores them", `{"events":[{"id":"a","event_name":"e","customer":"c","extra":[1,2]}],"other":true}`, false},
		{"names in another case go event by event, which matches them case-insensitively", `{"Events":[{"ID":"a","Event_Name":"e","CUSTOMER":"c"}]}`, false},
		{"a name given twice goes event by event, where the last wins", `{"events":[{"id":"a","id":"b","event_name":"e","customer":"c"}]}`, false},
		{"escaped text decodes as the slow path does", `{"events":[{"id":"\u00e9\"x\\\\","event_name":"e\/f","customer":"c\n"}]}`, true},
		{"nested properties are kept as sent", `{"events":[{"id":"a","event_name":"e","customer":"c","properties":{"m":{"x":[1,2.50,"3"]},"n":null}}]}`, true},
		{"an event of the wrong type goes event by event", `{"events":[{"id":"a","event_name":"e","customer":"c"},{"id":5,"event_name":"e","customer":"c"}]}`, false},
		{"an event that is not an object goes event by event", `{"events":[{"id":"a","event_name":"e","customer":"c"},7]}`, false},
		{"a bad timestamp goes event by event", `{"events":[{"id":"a","event_name":"e","customer":"c","timestamp":"yesterday"}]}`, false},
		{"a text over the limit goes event by event", `{"events":[{"id":"` + long + `","event_name":"e","customer":"c"}]}`, false},
		{"a NUL character goes event by event", `{"events":[{"id":"a\u0000","event_name":"e","customer":"c"}]}`, false},
		{"a lone surrogate goes event by event", `{"events":[{"id":"a\ud800","event_name":"e","customer":"c"}]}`, false},
		{"an empty batch goes the slow way, which words the problem", `{"events":[]}`, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			inputs, ok := decodeBatchFast([]byte(tc.body))
			if ok != tc.fast {
				t.Fatalf("one-pass path took it: %v, want %v", ok, tc.fast)
			}
			if !ok {
				return
			}
			var fast []any
			for _, in := range inputs {
				fast = append(fast, in)
			}
			if slow := slowInputs(t, tc.body); !reflect.DeepEqual(fast, slow) {
				a, _ := json.Marshal(fast)
				b, _ := json.Marshal(slow)
				t.Fatalf("the paths disagree:\n one pass: %s\n by event: %s", a, b)
			}
		})
	}
}

func TestDecodeBatchFastRefusesMoreThanABatch(t *testing.T) {
	var sb strings.Builder
	sb.WriteString(`{"events":[`)
	for i := 0; i <= 1000; i++ {
		if i > 0 {
			sb.WriteString(",")
		}
		sb.WriteString(`{"id":"x","event_name":"e","customer":"c"}`)
	}
	sb.WriteString("]}")
	if _, ok := decodeBatchFast([]byte(sb.String())); ok {
		t.Fatal("1,001 events were taken by the one-pass path; the slow path must refuse them with its message")
	}
}

// FuzzBatchFastAgrees: whatever body the one-pass path takes, the
// event-by-event path takes too, with the same inputs.
func FuzzBatchFastAgrees(f *testing.F) {
	for _, s := range []string{
		`{"events":[{"id":"a","event_name":"calls","customer":"c","timestamp":"2026-03-01T10:00:00Z","properties":{"n":1}}]}`,
		`{"events":[{"id":"a","event_name":"e","customer":"c","timestamp":null,"properties":null}]}`,
		`{"events":[{"id":"\u00e9\"x\\","event_name":"e\/f","customer":"c\n","properties":{"a":{"b":[1,"2",null]}}}]}`,
		`{"events":[{"ID":"a","event_name":"e","customer":"c"}]}`, `{"events":[{"id":"a","id":"b"}]}`,
		`{"events":[{"id":"\xff"}]}`, `{"events":[]}`, `{"events":null}`, `{"events":[1]}`, `{`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fast, ok := decodeBatchFast(body)
		if !ok {
			return
		}
		var req batchReq
		if err := decodeJSON(body, &req, false); err != nil {
			t.Fatalf("the one-pass path took %q, which the envelope refuses: %v", body, err)
		}
		if len(req.Events) != len(fast) {
			t.Fatalf("%q: %d events in one pass, %d event by event", body, len(fast), len(req.Events))
		}
		for i, raw := range req.Events {
			in, err := toEventInput(raw)
			if err != nil {
				t.Fatalf("%q: event %d taken in one pass is refused event by event: %v", body, i, err)
			}
			if !reflect.DeepEqual(in, fast[i]) {
				t.Fatalf("%q: event %d decodes to %+v in one pass, %+v event by event", body, i, fast[i], in)
			}
		}
	})
}
