package meters

import (
	"encoding/json"
	"strings"
	"time"
)

// MaxFutureSkew is how far in the future an event timestamp may lie; later
// ones are rejected (clock skew beyond this is a bug at the sender).
const MaxFutureSkew = 5 * time.Minute

// MaxBatch is the largest batch POST /v1/events/batch takes.
const MaxBatch = 1000

// Event is a stored usage event. Customer is the customer's external_id.
type Event struct {
	ID         string
	EventName  string
	Customer   string
	Timestamp  time.Time
	Properties Properties
	ReceivedAt time.Time
}

// EventInput is one event as a client sends it. A nil Timestamp means the
// time of receipt.
type EventInput struct {
	ID         string
	EventName  string
	Customer   string
	Timestamp  *time.Time
	Properties json.RawMessage
}

// IngestResult reports a batch: how many events were newly stored, how many
// were already known by id, and which were rejected (by index in the batch).
type IngestResult struct {
	Accepted   int
	Duplicates int
	Rejected   []Rejection
}

// Rejection is one event the batch did not store, with why.
type Rejection struct {
	Index int
	Err   error
}

// EventQuery selects stored events for listing.
type EventQuery struct {
	Customer  string
	EventName string
	From, To  *time.Time
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }
