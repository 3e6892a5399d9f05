package plans

import (
	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain/eventvalue"
)

// CreateInput is what POST /v1/plans takes. Required: key, currency,
// interval, and for each price key, type, model and what its model needs.
type CreateInput struct {
	Key         string
	Name        string
	Description string
	Currency    string
	Interval    string
	Prices      []PriceInput
	// ExternalCosts declare what customers pay providers directly (BYOK).
	ExternalCosts []ExternalCostInput
}

// TierInput is one tier as sent.
type TierInput struct {
	UpTo       *decimal.Decimal
	UnitAmount *decimal.Decimal
	FlatAmount *decimal.Decimal
}

// PriceInput is one price as sent; nil means "not given" (defaults apply).
type PriceInput struct {
	Key            string
	Type           string
	Model          string
	Meter          string // meter key
	Amount         *decimal.Decimal
	PackageSize    *decimal.Decimal
	Rounding       string
	TierMode       string
	Tiers          []TierInput
	FreeUnits      *decimal.Decimal
	MinimumAmount  *decimal.Decimal
	Filters        eventvalue.Filters
	Cadence        string
	PriceUnit      string
	ConversionRate *decimal.Decimal
}

// UpdateInput is what PATCH /v1/plans/{id} takes; nil fields stay. Prices,
// when given, replace the whole list (a plan in use refuses that).
type UpdateInput struct {
	Name        *string
	Description *string
	Currency    *string
	Interval    *string
	Prices      *[]PriceInput
	// ExternalCosts, when given, replace the list; they may change while
	// the plan is in use (they are never invoiced).
	ExternalCosts *[]ExternalCostInput
}
