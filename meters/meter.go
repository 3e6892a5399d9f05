package meters

import (
	"strings"
	"time"

	"github.com/tallyhq/tally/domain"
)

// AggregationType says how a meter turns events into a quantity.
type AggregationType string

const (
	Count       AggregationType = "count"
	Sum         AggregationType = "sum"
	Max         AggregationType = "max"
	UniqueCount AggregationType = "unique_count"
	Latest      AggregationType = "latest"
	UnitDays    AggregationType = "unit_days"
)

// ReadsDecimal reports whether the aggregation reads a decimal field (and so
// rejects events whose field is missing or not a decimal).
func (t AggregationType) ReadsDecimal() bool {
	return t == Sum || t == Max || t == Latest || t == UnitDays
}

func (t AggregationType) valid() bool {
	switch t {
	case Count, Sum, Max, UniqueCount, Latest, UnitDays:
		return true
	}
	return false
}

// Aggregation is a meter's aggregation: a type and, except for count, the
// event property it reads (a top-level name, or a dotted path into nested
// objects: "usage.input_tokens").
type Aggregation struct {
	Type  AggregationType
	Field string
}

// Meter is a metered feature.
type Meter struct {
	ID          string
	TenantID    string
	Key         string
	Name        string
	EventName   string
	Aggregation Aggregation
	Filters     Filters
	Unit        string
	ArchivedAt  *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Matches reports whether the meter counts the event (name and filters).
func (m Meter) Matches(e Event) bool {
	return e.EventName == m.EventName && m.Filters.Match(e.Properties)
}

// CreateInput is what POST /v1/meters takes. Only key, event_name and
// aggregation (with field unless count) are required; name defaults to key.
type CreateInput struct {
	Key         string
	Name        string
	EventName   string
	Aggregation Aggregation
	Filters     Filters
	Unit        string
}

// Validate collects every problem with the input.
func (in CreateInput) Validate() error {
	var p domain.Problems
	domain.AddKeyProblem(&p, "key", in.Key)
	if strings.TrimSpace(in.EventName) == "" {
		p.Add("event_name", "is required")
	} else if len(in.EventName) > 200 {
		p.Add("event_name", "must be at most 200 characters")
	}
	switch {
	case in.Aggregation.Type == "":
		p.Add("aggregation.type", "is required (count, sum, max, unique_count, latest, unit_days)")
	case !in.Aggregation.Type.valid():
		p.Add("aggregation.type", "unknown aggregation %q (count, sum, max, unique_count, latest, unit_days)", in.Aggregation.Type)
	case in.Aggregation.Type == Count && in.Aggregation.Field != "":
		p.Add("aggregation.field", "must be empty for count")
	case in.Aggregation.Type != Count && strings.TrimSpace(in.Aggregation.Field) == "":
		p.Add("aggregation.field", "is required for %s", in.Aggregation.Type)
	}
	p.Merge("filters", in.Filters.Validate())
	if len(in.Name) > 200 {
		p.Add("name", "must be at most 200 characters")
	}
	return p.Err()
}

// UpdateInput is what PATCH /v1/meters/{id} takes. Only the name and unit
// change: what a meter counts is fixed once created, because invoices already
// drafted were computed from it. Nil fields stay as they are.
type UpdateInput struct {
	Name *string
	Unit *string
}
