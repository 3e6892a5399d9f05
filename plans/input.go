package plans

import (
	"strings"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/calendar"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/plans/rating"
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
	Filters        meters.Filters
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
}

// MeterLookup finds the tenant's meters by key for validation.
type MeterLookup map[string]meters.Meter

// build validates the input and returns the plan it describes (ids unset),
// collecting every problem with its field path.
func (in CreateInput) build(ms MeterLookup) (Plan, error) {
	var p domain.Problems
	plan := Plan{Key: in.Key, Name: strings.TrimSpace(in.Name), Description: in.Description}
	if in.Key == "" {
		p.Add("key", "is required")
	} else if !meters.ValidKey(in.Key) {
		p.Add("key", "must be 1-100 letters, digits, '_', '.' or '-', starting with a letter or digit")
	}
	if plan.Name == "" {
		plan.Name = in.Key
	}
	if in.Currency == "" {
		p.Add("currency", "is required (an ISO 4217 code such as USD)")
	} else if c, ok := domain.ParseCurrency(in.Currency); !ok {
		p.Add("currency", "%q is not an ISO 4217 currency code", in.Currency)
	} else {
		plan.Currency = c
	}
	plan.Interval = calendar.Interval(in.Interval)
	p.Merge("", plan.Interval.Validate())
	prices, err := buildPrices(in.Prices, ms)
	p.Merge("", err)
	plan.Prices = prices
	return plan, p.Err()
}

func buildPrices(list []PriceInput, ms MeterLookup) ([]Price, error) {
	var p domain.Problems
	seen := map[string]int{}
	out := make([]Price, 0, len(list))
	for i, in := range list {
		field := func(name string) string { return pathf("prices[%d].%s", i, name) }
		if prev, dup := seen[in.Key]; dup && in.Key != "" {
			p.Add(field("key"), "duplicates the key of prices[%d]", prev)
		}
		seen[in.Key] = i
		pr, err := in.build(ms)
		p.Merge(pathf("prices[%d]", i), err)
		out = append(out, pr)
	}
	return out, p.Err()
}

func (in PriceInput) build(ms MeterLookup) (Price, error) {
	var p domain.Problems
	pr := Price{Key: in.Key, Type: PriceType(in.Type), Filters: in.Filters, Cadence: Cadence(in.Cadence)}
	if in.Key == "" {
		p.Add("key", "is required")
	} else if !meters.ValidKey(in.Key) {
		p.Add("key", "must be 1-100 letters, digits, '_', '.' or '-', starting with a letter or digit")
	}
	model := rating.Model(in.Model)
	switch pr.Type {
	case "":
		p.Add("type", "is required (fixed or usage)")
	case Fixed:
		if in.Meter != "" {
			p.Add("meter", "is only for usage prices")
		}
		if len(in.Filters) > 0 {
			p.Add("filters", "are only for usage prices")
		}
		if model != "" && model != rating.ModelFlat {
			p.Add("model", "a fixed price must use the flat model")
		}
		switch pr.Cadence {
		case "":
			pr.Cadence = Advance
		case Advance, Arrear:
		default:
			p.Add("cadence", "unknown cadence %q (advance or arrear)", in.Cadence)
		}
	case Usage:
		if model == rating.ModelFlat {
			p.Add("model", "flat is for fixed prices; a usage price uses per_unit, package or tiered")
		}
		if pr.Cadence != "" && pr.Cadence != Arrear {
			p.Add("cadence", "usage is always billed in arrear")
		}
		pr.Cadence = Arrear
		if in.Meter == "" {
			p.Add("meter", "is required for a usage price (a meter key)")
		} else if m, ok := ms[in.Meter]; !ok {
			p.Add("meter", "unknown meter %q", in.Meter)
		} else if m.ArchivedAt != nil {
			p.Add("meter", "meter %q is archived", in.Meter)
		} else {
			pr.MeterID, pr.MeterKey = m.ID, m.Key
			pr.Rating.Unit = m.Unit
		}
		p.Merge("filters", in.Filters.Validate())
	default:
		p.Add("type", "unknown type %q (fixed or usage)", in.Type)
	}
	if in.Model == "" {
		if pr.Type == Fixed {
			model = rating.ModelFlat
		} else {
			p.Add("model", "is required (per_unit, package or tiered)")
		}
	}
	r := &pr.Rating
	r.Model = model
	r.Rounding = rating.Rounding(in.Rounding)
	r.TierMode = rating.TierMode(in.TierMode)
	r.PackageSize = in.PackageSize
	r.MinimumAmount = in.MinimumAmount
	r.PriceUnit = strings.TrimSpace(in.PriceUnit)
	r.ConversionRate = in.ConversionRate
	if in.FreeUnits != nil {
		r.FreeUnits = *in.FreeUnits
	}
	needsAmount := model == rating.ModelFlat || model == rating.ModelPerUnit || model == rating.ModelPackage
	switch {
	case in.Amount != nil:
		r.Amount = *in.Amount
		if model == rating.ModelTiered {
			p.Add("amount", "is not used by tiered prices (give tiers)")
		}
	case needsAmount:
		p.Add("amount", "is required for the %s model", model)
	}
	if pr.Type == Fixed && (in.PackageSize != nil || in.FreeUnits != nil) {
		p.Add("package_size", "package_size and free_units are only for usage prices")
	}
	for i, t := range in.Tiers {
		tier := rating.Tier{UpTo: t.UpTo}
		if t.UnitAmount == nil && t.FlatAmount == nil {
			p.Add(pathf("tiers[%d]", i), "needs unit_amount or flat_amount")
		}
		if t.UnitAmount != nil {
			tier.UnitAmount = *t.UnitAmount
		}
		if t.FlatAmount != nil {
			tier.FlatAmount = *t.FlatAmount
		}
		r.Tiers = append(r.Tiers, tier)
	}
	if len(in.Tiers) > 0 && model != rating.ModelTiered && model != "" {
		p.Add("tiers", "are only for the tiered model")
	}
	if model != "" {
		p.Merge("", r.Validate())
	}
	return pr, p.Err()
}
