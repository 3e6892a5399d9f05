package meters

import (
	"strings"

	"github.com/shopspring/decimal"
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
	// Cost is what one unit costs the tenant to serve; nil when not
	// declared. Never invoiced (the advisor's margins).
	Cost       *Cost
	ArchivedAt *time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Cost is a meter's cost to serve: PerUnit per unit, in Currency.
type Cost struct {
	PerUnit  decimal.Decimal
	Currency domain.Currency
}

// CostInput declares a meter's cost: both fields, or neither.
type CostInput struct {
	PerUnit  *decimal.Decimal
	Currency string
}

// validate reports a cost given by halves, negative, or in an unknown
// currency; field is the request's prefix ("" or "cost").
func (c CostInput) validate(p *domain.Problems) {
	switch {
	case c.PerUnit == nil && c.Currency == "":
	case c.PerUnit == nil:
		p.Add("cost_per_unit", "is required with cost_currency")
	case c.Currency == "":
		p.Add("cost_currency", "is required with cost_per_unit")
	default:
		if c.PerUnit.Sign() < 0 {
			p.Add("cost_per_unit", "must not be negative")
		}
		if _, ok := domain.ParseCurrency(c.Currency); !ok {
			p.Add("cost_currency", "unknown currency %q", c.Currency)
		}
	}
}

// columns are the stored values (NULL both when not declared).
func (c CostInput) columns() (perUnit, currency *string) {
	if c.PerUnit == nil {
		return nil, nil
	}
	d, cur := c.PerUnit.String(), strings.ToUpper(c.Currency)
	return &d, &cur
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
	Cost        CostInput
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
	in.Cost.validate(&p)
	return p.Err()
}

// UpdateInput is what PATCH /v1/meters/{id} takes. Only the name and unit
// change: what a meter counts is fixed once created, because invoices already
// drafted were computed from it. Nil fields stay as they are.
type UpdateInput struct {
	Name *string
	Unit *string
	// Cost, when not nil, replaces the cost (both fields empty: none).
	Cost *CostInput
}
