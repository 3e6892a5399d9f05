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
		{"unknown fields are ignored by both", `{"events":[{"id":"a","event_name":"e","customer":"c","extra":[1,2]}],"other":true}`, true},
		{"keys match case-insensitively in both", `{"Events":[{"ID":"a","Event_Name":"e","CUSTOMER":"c"}]}`, true},
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
