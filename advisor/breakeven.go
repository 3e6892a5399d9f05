package advisor

import (
	"context"
	"math/big"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/plans"
)

// BreakEvenInput asks where the cheapest of Plans changes along Meter, the
// other meters at Usage.
type BreakEvenInput struct {
	Plans                []string
	Meter                string
	Usage                Usage
	IncludeExternalCosts bool
}

// Region is an interval of the meter's quantity on which the same plans are
// cheapest by exact cost (before line rounding). To nil is unbounded.
type Region struct {
	From, To                   *big.Rat
	FromInclusive, ToInclusive bool
	Cheapest                   []string
}

// Boundary is a quantity where the cheapest plan changes.
type Boundary struct {
	// At is exact; Decimal shows it to 12 places.
	At      *big.Rat
	Decimal string
	Below   []string // cheapest just below
	Above   []string // cheapest just above
	// Totals are each plan's rounded cost (invoice total, plus external
	// costs when included) at At (rated at Decimal), in the order asked.
	Totals []PlanAmount
	// TieFrom..TieTo are the whole quantities around At where the rounded
	// costs of Below[0] and Above[0] are equal; nil when none is.
	TieFrom, TieTo *decimal.Decimal
	// BelowUntil is the last whole quantity where Below[0] is strictly
	// cheaper on rounded costs, AboveFrom the first where Above[0] is.
	BelowUntil, AboveFrom *decimal.Decimal
}

// PlanAmount is one plan's amount.
type PlanAmount struct {
	Plan   string
	Amount decimal.Decimal
}

// BreakEven is the exact piecewise answer along one meter.
type BreakEven struct {
	Meter      string
	Currency   domain.Currency
	Regions    []Region
	Boundaries []Boundary
	// Periodic says two plans' costs differ by less than a package step
	// forever (same rates): the last regions then alternate with a period
	// of a package and are shown up to where the analysis stopped.
	Periodic bool
}

// tieScan bounds how many whole quantities a rounded tie is followed for.
const tieScan = 10000

// BreakEven computes the cheapest plans on every interval of the meter's
// quantity, from zero to unbounded. It does not sample: each plan's cost is
// piecewise linear between its breakpoints (free units, tier bounds,
// package steps, minimum kinks); on each piece the crossings of the lines
// are solved exactly. Package steps are followed as far as the plans'
// trends (every package count proportional) are apart by less than their
// largest steps; beyond that the order cannot change.
func (s *Service) BreakEven(ctx context.Context, tenantID string, in BreakEvenInput) (BreakEven, error) {
	u := Usage{}
	for k, v := range in.Usage {
		u[k] = v
	}
	var p domain.Problems
	if in.Meter == "" {
		p.Add("meter", "is required (the meter key to vary)")
	} else if _, dup := u[in.Meter]; dup {
		p.Add("usage."+in.Meter, "is the meter being varied: leave it out of usage")
	}
	if len(in.Plans) < 2 {
		p.Add("plans", "name at least two plan keys")
	}
	if in.Meter != "" {
		u[in.Meter] = decimal.Zero
	}
	list, err := s.load(ctx, tenantID, in.Plans, u, "")
	p.Merge("", err)
	if err := p.Err(); err != nil {
		return BreakEven{}, err
	}
	delete(u, in.Meter)
	return breakEven(list, in.Meter, u, in.IncludeExternalCosts)
}

func breakEven(list []plans.Plan, meter string, u Usage, ext bool) (BreakEven, error) {
	out := BreakEven{Meter: meter, Currency: list[0].Currency}
	curves := make([]curve, len(list))
	for i, pl := range list {
		c, err := newCurve(pl, meter, u, ext)
		if err != nil {
			return BreakEven{}, err
		}
		curves[i] = c
	}
	pts, err := breakpoints(curves, &out.Periodic)
	if err != nil {
		return BreakEven{}, err
	}
	regions := sweep(curves, pts)
	out.Regions, out.Boundaries = boundaries(list, meter, u, ext, regions)
	return out, nil
}
