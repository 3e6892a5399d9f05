package api

import (
	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/plans"
)

// externalCostJSON is one of a plan's external_costs: what its customers pay
// a provider directly per unit of a meter, never invoiced.
type externalCostJSON struct {
	Meter       string           `json:"meter"`
	UnitAmount  *decimal.Decimal `json:"unit_amount"`
	Description string           `json:"description"`
}

func externalCostsJSON(list []plans.ExternalCost) []externalCostJSON {
	out := make([]externalCostJSON, len(list))
	for i, c := range list {
		out[i] = externalCostJSON{Meter: c.MeterKey, UnitAmount: dec(c.UnitAmount), Description: c.Description}
	}
	return out
}

func externalCostInputs(list []externalCostJSON) []plans.ExternalCostInput {
	out := make([]plans.ExternalCostInput, len(list))
	for i, c := range list {
		out[i] = plans.ExternalCostInput{Meter: c.Meter, UnitAmount: c.UnitAmount, Description: c.Description}
	}
	return out
}
