package plans

import (
	"encoding/json"
	"fmt"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/plans/rating"
)

// ExternalCost is what a customer of the plan pays a provider directly per
// unit of a meter (BYOK: its own model tokens), in the plan currency. It is
// never invoiced; the plan advisor adds it to a plan's cost when asked to.
type ExternalCost struct {
	// MeterKey is the meter whose quantity the cost is per unit of.
	MeterKey string
	// UnitAmount is the cost of one unit (up to rating.MaxPricePlaces
	// decimals, not negative).
	UnitAmount decimal.Decimal
	// Description says what is paid to whom ("Anthropic tokens").
	Description string
}

// ExternalCostInput is one external cost as sent; nil means not given.
type ExternalCostInput struct {
	Meter       string
	UnitAmount  *decimal.Decimal
	Description string
}

// externalCostDoc is the stored JSON of one external cost.
type externalCostDoc struct {
	Meter       string `json:"meter"`
	UnitAmount  string `json:"unit_amount"`
	Description string `json:"description"`
}

// buildExternalCosts validates each cost under external_costs[i]: a known,
// live meter, a unit_amount that is not negative and has at most
// rating.MaxPricePlaces decimals, one entry per meter.
func buildExternalCosts(list []ExternalCostInput, ms metersByKey, add func(field, format string, args ...any)) []ExternalCost {
	out := make([]ExternalCost, 0, len(list))
	seen := map[string]bool{}
	for i, in := range list {
		f := fmt.Sprintf("external_costs[%d]", i)
		m, ok := ms[in.Meter]
		switch {
		case in.Meter == "":
			add(f+".meter", "is required (a meter key)")
		case !ok:
			add(f+".meter", "unknown meter %q", in.Meter)
		case m.Archived:
			add(f+".meter", "meter %q is archived", in.Meter)
		case seen[in.Meter]:
			add(f+".meter", "meter %q has an external cost already", in.Meter)
		}
		seen[in.Meter] = true
		switch {
		case in.UnitAmount == nil:
			add(f+".unit_amount", "is required")
		case in.UnitAmount.Sign() < 0:
			add(f+".unit_amount", "must not be negative")
		case -in.UnitAmount.Exponent() > rating.MaxPricePlaces && !in.UnitAmount.Equal(in.UnitAmount.Round(rating.MaxPricePlaces)):
			add(f+".unit_amount", "has more than %d decimal places", rating.MaxPricePlaces)
		default:
			out = append(out, ExternalCost{MeterKey: in.Meter, UnitAmount: *in.UnitAmount, Description: in.Description})
		}
	}
	return out
}

func encodeExternalCosts(list []ExternalCost) string {
	docs := make([]externalCostDoc, len(list))
	for i, c := range list {
		docs[i] = externalCostDoc{Meter: c.MeterKey, UnitAmount: c.UnitAmount.String(), Description: c.Description}
	}
	b, _ := json.Marshal(docs)
	return string(b)
}

func decodeExternalCosts(planID, s string) ([]ExternalCost, error) {
	out := []ExternalCost{}
	if s == "" {
		return out, nil
	}
	var docs []externalCostDoc
	if err := json.Unmarshal([]byte(s), &docs); err != nil {
		return nil, corruptRow("plans", planID, "external_costs", err)
	}
	for _, d := range docs {
		a, err := decimal.NewFromString(d.UnitAmount)
		if err != nil {
			return nil, corruptRow("plans", planID, "external_costs", err)
		}
		out = append(out, ExternalCost{MeterKey: d.Meter, UnitAmount: a, Description: d.Description})
	}
	return out, nil
}

// externalInputs turns stored costs back into input, so that an update that
// does not replace them keeps them.
func externalInputs(list []ExternalCost) []ExternalCostInput {
	out := make([]ExternalCostInput, len(list))
	for i, c := range list {
		a := c.UnitAmount
		out[i] = ExternalCostInput{Meter: c.MeterKey, UnitAmount: &a, Description: c.Description}
	}
	return out
}
