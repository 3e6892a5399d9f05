package api

// Flexprice compatibility (README, "Coming from Flexprice / Lago /
// OpenMeter"): @flexprice/sdk 2.0.1 with serverURL <tally>/v1 sends
// x-api-key and posts to /v1/events (Tally's own path: told apart by its
// fields) and /v1/events/bulk, expecting 202 and a JSON object of strings.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/meters"
)

// flexpriceEventReq is one event as @flexprice/sdk sends it.
type flexpriceEventReq struct {
	EventID            string          `json:"event_id"`
	EventName          string          `json:"event_name"`
	ExternalCustomerID string          `json:"external_customer_id"`
	CustomerID         string          `json:"customer_id"`
	Properties         json.RawMessage `json:"properties"`
	Source             string          `json:"source"`
	Timestamp          *string         `json:"timestamp"`
}

// flexpriceErrorJSON is Flexprice's error body, {"success": false,
// "error": {"message", "internal_error"}} (the SDK requires both keys), with
// Tally's code and field details added.
type flexpriceErrorJSON struct {
	Success bool                `json:"success"`
	Error   flexpriceErrorInner `json:"error"`
}

type flexpriceErrorInner struct {
	Message       string              `json:"message"`
	InternalError string              `json:"internal_error"`
	Code          string              `json:"code"`
	Details       []domain.FieldError `json:"details"`
}

// flexpriceError is e as Flexprice answers it; internal_error spells out
// the fields.
func flexpriceError(e errorDetail) flexpriceErrorJSON {
	var parts []string
	for _, d := range e.Details {
		parts = append(parts, d.Field+": "+d.Message)
	}
	internal := strings.Join(parts, "; ")
	if internal == "" {
		internal = e.Message
	}
	return flexpriceErrorJSON{Error: flexpriceErrorInner{Message: e.Message + ": " + internal, InternalError: internal, Code: e.Code, Details: e.Details}}
}

type flexpriceBulkReq struct {
	Events []json.RawMessage `json:"events"`
}

// isFlexpriceEvent reports whether a body posted to /v1/events has
// Flexprice's shape: event_name with external_customer_id (Tally's own
// events name the customer in "customer").
func isFlexpriceEvent(raw json.RawMessage) bool {
	var probe map[string]json.RawMessage
	if json.Unmarshal(raw, &probe) != nil {
		return false
	}
	_, name := probe["event_name"]
	_, ext := probe["external_customer_id"]
	_, own := probe["customer"]
	return name && ext && !own
}

// flexpriceInput maps a Flexprice event to Tally's: event_id → id (absent:
// a fresh server id, so the event has no idempotency), external_customer_id
// → customer. Properties are strings; numeric meters read decimal strings.
func flexpriceInput(raw json.RawMessage) (meters.EventInput, string, error) {
	var req flexpriceEventReq
	if err := decodeBytes(raw, &req); err != nil {
		return meters.EventInput{}, "", err
	}
	id := strings.TrimSpace(req.EventID)
	if id == "" {
		id = domain.NewID(domain.PrefixEvent)
	}
	in := meters.EventInput{ID: id, EventName: req.EventName, Customer: req.ExternalCustomerID, Properties: req.Properties}
	if req.Timestamp != nil && *req.Timestamp != "" {
		t, err := domain.ParseTime("timestamp", *req.Timestamp)
		if err != nil {
			return in, id, err
		}
		in.Timestamp = &t
	}
	return in, id, nil
}

// flexpriceProblem renames Tally's field names to Flexprice's in an error.
func flexpriceProblem(e errorDetail, prefix string) errorDetail {
	out := e
	out.Details = make([]domain.FieldError, len(e.Details))
	for i, d := range e.Details {
		switch {
		case d.Field == "id":
			d.Field = "event_id"
		case d.Field == "customer":
			d.Field = "external_customer_id"
		}
		d.Field = prefix + d.Field
		out.Details[i] = d
	}
	return out
}

// flexpriceEvent answers POST /v1/events for Flexprice: 202 {"event_id",
// "message"}; a rejected event is a 400 (Flexprice's status for a bad
// event) with Flexprice's error body, which the SDK raises.
func (s *Server) flexpriceEvent(c echo.Context, raw json.RawMessage) error {
	var id string
	out, err := s.ingestDecoded(c, 1, func(int) (meters.EventInput, error) {
		in, eid, err := flexpriceInput(raw)
		id = eid
		return in, err
	})
	if err != nil {
		return err
	}
	if len(out.Rejected) == 1 {
		return c.JSON(http.StatusBadRequest, flexpriceError(flexpriceProblem(out.Rejected[0].Error, "")))
	}
	msg := "Event accepted for processing"
	if out.Duplicates == 1 {
		msg = "Event already received (duplicate event_id); counted once"
	}
	return c.JSON(http.StatusAccepted, map[string]string{"event_id": id, "message": msg})
}

// flexpriceBulk answers POST /v1/events/bulk {"events": [...]} (up to
// 1000): 202 with a JSON object of strings (accepted, duplicates, and, when
// some were rejected, their indexes and errors); 400 when every event was
// rejected, naming each.
func (s *Server) flexpriceBulk(c echo.Context) error {
	var req flexpriceBulkReq
	if err := decodeEnvelope(c, &req); err != nil {
		return err
	}
	if len(req.Events) == 0 {
		return domain.Invalid("events", "must hold at least one event")
	}
	if len(req.Events) > meters.MaxBatch {
		return domain.Invalid("events", "at most %d events per batch (got %d)", meters.MaxBatch, len(req.Events))
	}
	out, err := s.ingestDecoded(c, len(req.Events), func(i int) (meters.EventInput, error) {
		in, _, err := flexpriceInput(req.Events[i])
		return in, err
	})
	if err != nil {
		return err
	}
	if len(out.Rejected) == len(req.Events) {
		body := errorDetail{Code: "invalid_events", Message: fmt.Sprintf("all %d events were rejected", len(req.Events)), Details: []domain.FieldError{}}
		for _, r := range out.Rejected {
			body.Details = append(body.Details, flexpriceProblem(r.Error, fmt.Sprintf("events[%d].", r.Index)).Details...)
		}
		return c.JSON(http.StatusBadRequest, flexpriceError(body))
	}
	reply := map[string]string{"message": "Events accepted for processing",
		"accepted": strconv.Itoa(out.Accepted), "duplicates": strconv.Itoa(out.Duplicates), "rejected": strconv.Itoa(len(out.Rejected))}
	if len(out.Rejected) > 0 {
		var idx []string
		var msgs bytes.Buffer
		for _, r := range out.Rejected {
			idx = append(idx, strconv.Itoa(r.Index))
			e := flexpriceProblem(r.Error, fmt.Sprintf("events[%d].", r.Index))
			for _, d := range e.Details {
				fmt.Fprintf(&msgs, "%s: %s; ", d.Field, d.Message)
			}
			if len(e.Details) == 0 {
				fmt.Fprintf(&msgs, "events[%d]: %s; ", r.Index, e.Message)
			}
		}
		reply["message"] = fmt.Sprintf("%d events accepted, %d rejected (not stored): see rejected_indexes and errors", out.Accepted+out.Duplicates, len(out.Rejected))
		reply["rejected_indexes"] = strings.Join(idx, ",")
		reply["errors"] = strings.TrimSuffix(msgs.String(), "; ")
	}
	return c.JSON(http.StatusAccepted, reply)
}
