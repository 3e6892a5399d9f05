package rating

import "github.com/shopspring/decimal"

// TierLine is one tier's share of a tiered line, in the price unit.
type TierLine struct {
	// Tier is the 0-based index into Price.Tiers.
	Tier int
	// From is the previous tier's up_to: the tier holds quantities above it.
	// It is nil for the first tier, which starts at zero (inclusive).
	From *decimal.Decimal
	// UpTo is the tier's inclusive upper bound; nil means unbounded.
	UpTo *decimal.Decimal
	// Quantity is the part of the quantity priced in this tier (graduated)
	// or the whole quantity (volume), in packages when the price has a
	// package_size. A proportional package count (rounding "none") that
	// does not terminate (1 ÷ 3) is shown cut at ExactPlaces.
	Quantity   decimal.Decimal
	UnitAmount decimal.Decimal
	FlatAmount decimal.Decimal
	// Amount is Quantity × UnitAmount + FlatAmount, exact: only the line
	// is rounded. With rounding "none" it is computed from the exact
	// package count (units × unit_amount ÷ package_size), so 50 s in
	// packages of 60 s at 0.006 is 0.005, not 0.00499…; one that does not
	// terminate is shown cut at ExactPlaces.
	Amount decimal.Decimal
}

// graduated prices each part of q at the tier it falls in. The first tier is
// always reached (its flat_amount is charged even at zero); tier i > 0 is
// reached when q exceeds tier i-1's up_to. Tiers must be valid (see
// Price.Validate).
//
// q is exact (a fraction: a proportional package count need not
// terminate), and so is the total: every tier's share is kept over q's
// denominator, so only the line is rounded. Bounds are compared exactly.
func graduated(tiers []Tier, q fraction) ([]TierLine, fraction) {
	var lines []TierLine
	total := fraction{num: decimal.Zero, den: q.den}
	lower := decimal.Zero // in units of 1/q.den
	var from *decimal.Decimal
	for i, t := range tiers {
		if i > 0 && q.num.Cmp(lower) <= 0 {
			break
		}
		upper := q.num
		if t.UpTo != nil {
			if bound := t.UpTo.Mul(q.den); bound.Cmp(upper) < 0 {
				upper = bound
			}
		}
		line, amount := tierLine(i, from, t, fraction{num: upper.Sub(lower), den: q.den})
		lines = append(lines, line)
		total.num = total.num.Add(amount.num)
		if t.UpTo == nil {
			break
		}
		lower = t.UpTo.Mul(q.den)
		from = t.UpTo
	}
	return lines, total
}

// volume prices the whole of q at the first tier whose up_to is at least q
// (zero falls in the first tier), comparing exactly: 10.0000001 packages are
// above an up_to of 10 however many places that takes.
func volume(tiers []Tier, q fraction) ([]TierLine, fraction) {
	var from *decimal.Decimal
	for i, t := range tiers {
		if t.UpTo == nil || q.cmp(whole(*t.UpTo)) <= 0 {
			line, amount := tierLine(i, from, t, q)
			return []TierLine{line}, amount
		}
		from = t.UpTo
	}
	// Unreachable for a valid price: the last tier is unbounded.
	return nil, whole(decimal.Zero)
}

// tierLine prices q (exact) in one tier: q × unit_amount + flat_amount, over
// q's denominator, multiplying before dividing.
func tierLine(i int, from *decimal.Decimal, t Tier, q fraction) (TierLine, fraction) {
	amount := fraction{num: q.num.Mul(t.UnitAmount).Add(t.FlatAmount.Mul(q.den)), den: q.den}
	return TierLine{
		Tier:       i,
		From:       clone(from),
		UpTo:       clone(t.UpTo),
		Quantity:   q.decimal(),
		UnitAmount: t.UnitAmount,
		FlatAmount: t.FlatAmount,
		Amount:     amount.decimal(),
	}, amount
}

// clone copies a bound so that a Line never aliases its Price.
func clone(d *decimal.Decimal) *decimal.Decimal {
	if d == nil {
		return nil
	}
	c := *d
	return &c
}
