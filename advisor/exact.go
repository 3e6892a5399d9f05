package advisor

import (
	"math/big"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/plans"
	"github.com/tallyhq/tally/plans/rating"
)

// curve is a plan's exact cost along one meter, the other meters fixed:
// base (every line not on the meter, exact before rounding) plus each price
// on the meter evaluated exactly at x (a rational quantity), plus external
// costs per unit when included.
type curve struct {
	plan   plans.Plan
	base   *big.Rat
	prices []rating.Price // the plan's prices on the meter
	perX   *big.Rat       // external cost per unit of the meter (0 unless included)
}

func rat(d decimal.Decimal) *big.Rat { return d.Rat() }

// newCurve builds the curve of p along meter; usage holds the other meters.
func newCurve(p plans.Plan, meter string, usage Usage, includeExternal bool) (curve, error) {
	c := curve{plan: p, base: new(big.Rat), perX: new(big.Rat)}
	for _, pr := range p.Prices {
		if pr.Type == plans.Usage && pr.MeterKey == meter {
			c.prices = append(c.prices, pr.Rating)
			continue
		}
		qty := decimal.NewFromInt(1)
		if pr.Type == plans.Usage {
			qty = usage[pr.MeterKey]
		}
		l, err := rating.Rate(pr.Rating, qty, p.Currency, rating.Proration{})
		if err != nil {
			return curve{}, err
		}
		c.base.Add(c.base, toCurrency(pr.Rating, rat(l.Exact)))
	}
	if includeExternal {
		for _, e := range p.ExternalCosts {
			if e.MeterKey == meter {
				c.perX.Add(c.perX, rat(e.UnitAmount))
			} else {
				c.base.Add(c.base, rat(usage[e.MeterKey].Mul(e.UnitAmount)))
			}
		}
	}
	return c, nil
}

// toCurrency converts an exact amount in a price's unit to the currency.
func toCurrency(p rating.Price, a *big.Rat) *big.Rat {
	if p.PriceUnit == "" {
		return a
	}
	return new(big.Rat).Mul(a, rat(*p.ConversionRate))
}

// at is the exact cost at x.
func (c curve) at(x *big.Rat) *big.Rat {
	out := new(big.Rat).Set(c.base)
	for _, p := range c.prices {
		out.Add(out, toCurrency(p, priceAt(p, x, true)))
	}
	return out.Add(out, new(big.Rat).Mul(c.perX, x))
}

// trend is the cost at x with every package count proportional (rounding
// none): the line a staircase of packages stays within one package of.
func (c curve) trend(x *big.Rat) *big.Rat {
	out := new(big.Rat).Set(c.base)
	for _, p := range c.prices {
		q := p
		q.Rounding = rating.RoundNone
		out.Add(out, toCurrency(p, priceAt(q, x, true)))
	}
	return out.Add(out, new(big.Rat).Mul(c.perX, x))
}

// priceAt is rating.Rate's exact amount (before rounding, in the price
// unit) of a usage price at a rational quantity, with or without the
// minimum, for one whole period.
func priceAt(p rating.Price, x *big.Rat, minimum bool) *big.Rat {
	y := new(big.Rat).Sub(x, rat(p.FreeUnits))
	if y.Sign() < 0 {
		y.SetInt64(0)
	}
	n := y
	if p.PackageSize != nil {
		n = new(big.Rat).Quo(y, rat(*p.PackageSize))
		switch p.Rounding {
		case rating.RoundNone:
		case rating.RoundDown:
			n = floorRat(n)
		default:
			n = ceilRat(n)
		}
	}
	var v *big.Rat
	switch p.Model {
	case rating.ModelTiered:
		v = tiersAt(p, n)
	default:
		v = new(big.Rat).Mul(n, rat(p.Amount))
	}
	if minimum && p.MinimumAmount != nil {
		if m := rat(*p.MinimumAmount); v.Cmp(m) < 0 {
			v = m
		}
	}
	return v
}

func tiersAt(p rating.Price, n *big.Rat) *big.Rat {
	total := new(big.Rat)
	lower := new(big.Rat)
	for i, t := range p.Tiers {
		if p.TierMode == rating.ModeVolume {
			if t.UpTo == nil || n.Cmp(rat(*t.UpTo)) <= 0 {
				return total.Add(new(big.Rat).Mul(n, rat(t.UnitAmount)), rat(t.FlatAmount))
			}
			continue
		}
		if i > 0 && n.Cmp(lower) <= 0 {
			break
		}
		upper := n
		if t.UpTo != nil && rat(*t.UpTo).Cmp(n) < 0 {
			upper = rat(*t.UpTo)
		}
		part := new(big.Rat).Sub(upper, lower)
		total.Add(total, new(big.Rat).Mul(part, rat(t.UnitAmount)))
		total.Add(total, rat(t.FlatAmount))
		if t.UpTo == nil {
			break
		}
		lower = rat(*t.UpTo)
	}
	return total
}

func floorRat(r *big.Rat) *big.Rat {
	q := new(big.Int).Div(r.Num(), r.Denom()) // Euclidean: floor for a positive denominator
	return new(big.Rat).SetInt(q)
}

func ceilRat(r *big.Rat) *big.Rat {
	f := floorRat(r)
	if f.Cmp(r) == 0 {
		return f
	}
	return f.Add(f, big.NewRat(1, 1))
}
