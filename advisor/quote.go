package advisor

import (
	"fmt"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/plans"
	"github.com/tallyhq/tally/plans/rating"
)

// Usage is a quantity per meter key for one period. A meter it leaves out
// measured zero.
type Usage map[string]decimal.Decimal

// Line is one line of the invoice a plan would draft, as a proposed invoice
// shows it.
type Line struct {
	PriceKey    string
	Type        plans.PriceType
	Meter       string // usage lines only
	Description string
	Quantity    decimal.Decimal
	// Amount is in the plan currency, rounded once (rating.Rate).
	Amount decimal.Decimal
	// Exact is the amount before rounding, in the price unit.
	Exact          decimal.Decimal
	PriceUnit      string
	UnitAmount     decimal.Decimal
	MinimumApplied bool
	Tiers          []rating.TierLine
}

// ExternalLine is one external cost: Quantity × UnitAmount of a meter,
// rounded once to the currency. Never invoiced.
type ExternalLine struct {
	Meter       string
	Description string
	Quantity    decimal.Decimal
	UnitAmount  decimal.Decimal
	Amount      decimal.Decimal
}

// Quote is what one plan would cost for one whole period of a usage.
type Quote struct {
	Plan          plans.Plan
	Lines         []Line
	ExternalLines []ExternalLine
	// Subtotal is the invoice total: the sum of Lines.
	Subtotal decimal.Decimal
	// ExternalCost is the sum of ExternalLines.
	ExternalCost decimal.Decimal
	// Total is Subtotal, plus ExternalCost when external costs are included.
	Total decimal.Decimal
	// CostLines are what serving the usage costs the tenant (meters'
	// cost_per_unit); ServeCost sums those in the plan's currency and
	// Margin is Subtotal − ServeCost. Never invoiced.
	CostLines []CostLine
	ServeCost decimal.Decimal
	Margin    decimal.Decimal
}

// QuotePlan rates every price of p for one whole period of usage u: fixed
// fees once and unprorated, usage prices on their meter's quantity (zero
// when u leaves the meter out). External costs are computed always and
// added to Total only when includeExternal.
func QuotePlan(p plans.Plan, u Usage, includeExternal bool) (Quote, error) {
	q := Quote{Plan: p, Lines: []Line{}, ExternalLines: []ExternalLine{}, Subtotal: decimal.Zero, ExternalCost: decimal.Zero}
	for _, pr := range p.Prices {
		qty := decimal.NewFromInt(1)
		if pr.Type == plans.Usage {
			qty = u[pr.MeterKey]
		}
		l, err := rating.Rate(pr.Rating, qty, p.Currency, rating.Proration{})
		if err != nil {
			return Quote{}, fmt.Errorf("plan %s price %s: %w", p.Key, pr.Key, err)
		}
		line := Line{PriceKey: pr.Key, Type: pr.Type, Description: l.Description, Quantity: qty, Amount: l.Amount,
			Exact: l.Exact, PriceUnit: pr.Rating.PriceUnit, UnitAmount: l.UnitAmount, MinimumApplied: l.MinimumApplied, Tiers: l.Tiers}
		if pr.Type == plans.Usage {
			line.Meter = pr.MeterKey
		}
		q.Lines = append(q.Lines, line)
		q.Subtotal = q.Subtotal.Add(l.Amount)
	}
	for _, c := range p.ExternalCosts {
		qty := u[c.MeterKey]
		amount := p.Currency.Round(qty.Mul(c.UnitAmount))
		q.ExternalLines = append(q.ExternalLines, ExternalLine{Meter: c.MeterKey, Description: c.Description, Quantity: qty, UnitAmount: c.UnitAmount, Amount: amount})
		q.ExternalCost = q.ExternalCost.Add(amount)
	}
	q.Total = q.Subtotal
	if includeExternal {
		q.Total = q.Total.Add(q.ExternalCost)
	}
	return q, nil
}
