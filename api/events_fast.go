package api

import (
	"bytes"
	"encoding/json"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/meters"
)

// fastBatch is a batch body decoded in one pass, every event into its
// request type at once.
type fastBatch struct {
	Events []eventReq `json:"events"`
}

// decodeBatchFast decodes a batch body whose every event is well formed in
// one pass over the body, instead of the envelope first and then each
// event on its own (which scans every byte six or seven times: the
// bottleneck of HTTP ingestion). ok is false as soon as anything is off —
// broken JSON, a value of the wrong type, invalid text, NUL, a text over
// the limit, a bad timestamp, an empty or oversized batch — and the caller
// then takes the event-by-event path, which finds and words every problem
// (rejecting bad events by index). So both paths accept the same events
// with the same inputs; this one only gets there with less work.
func decodeBatchFast(body []byte) (inputs []meters.EventInput, ok bool) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' || bytes.Contains(body, []byte(`\u0000`)) || textProblems(body) != nil {
		return nil, false
	}
	var b fastBatch
	if err := json.Unmarshal(body, &b); err != nil || len(b.Events) == 0 || len(b.Events) > meters.MaxBatch {
		return nil, false
	}
	inputs = make([]meters.EventInput, len(b.Events))
	for i, req := range b.Events {
		if overLimit(req.ID) || overLimit(req.EventName) || overLimit(req.Customer) || (req.Timestamp != nil && overLimit(*req.Timestamp)) {
			return nil, false
		}
		in := meters.EventInput{ID: req.ID, EventName: req.EventName, Customer: req.Customer, Properties: req.Properties}
		if req.Timestamp != nil {
			t, err := domain.ParseTime("timestamp", *req.Timestamp)
			if err != nil {
				return nil, false
			}
			in.Timestamp = &t
		}
		inputs[i] = in
	}
	return inputs, true
}

// overLimit reports whether s is beyond the request text limit
// (requestLimitProblems' rule for a string, domain.AddTextProblems).
func overLimit(s string) bool {
	var p domain.Problems
	domain.AddTextProblems(&p, "", s)
	return !p.Empty()
}
