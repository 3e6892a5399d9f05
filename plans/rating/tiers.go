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
	// package_size.
	Quantity   decimal.Decimal
	UnitAmount decimal.Decimal
	FlatAmount decimal.Decimal
	// Amount is Quantity × UnitAmount + FlatAmount, exact: only the line
	// is rounded.
	Amount decimal.Decimal
}

// graduated prices each part of q at the tier it falls in. The first tier is
// always reached (its flat_amount is charged even at zero); tier i > 0 is
// reached when q exceeds tier i-1's up_to. Tiers must be valid (see
// Price.Validate).
func graduated(tiers []Tier, q decimal.Decimal) ([]TierLine, decimal.Decimal) {
	var lines []TierLine
	total := decimal.Zero
	lower := decimal.Zero
	var from *decimal.Decimal
	for i, t := range tiers {
		if i > 0 && q.Cmp(lower) <= 0 {
			break
		}
		upper := q
		if t.UpTo != nil && t.UpTo.Cmp(q) < 0 {
			upper = *t.UpTo
		}
		line := tierLine(i, from, t, upper.Sub(lower))
		lines = append(lines, line)
		total = total.Add(line.Amount)
		if t.UpTo == nil {
			break
		}
		lower = *t.UpTo
		from = t.UpTo
	}
	return lines, total
}

// volume prices the whole of q at the first tier whose up_to is at least q
// (zero falls in the first tier).
func volume(tiers []Tier, q decimal.Decimal) ([]TierLine, decimal.Decimal) {
	var from *decimal.Decimal
	for i, t := range tiers {
		if t.UpTo == nil || q.Cmp(*t.UpTo) <= 0 {
			line := tierLine(i, from, t, q)
			return []TierLine{line}, line.Amount
		}
		from = t.UpTo
	}
	// Unreachable for a valid price: the last tier is unbounded.
	return nil, decimal.Zero
}

func tierLine(i int, from *decimal.Decimal, t Tier, q decimal.Decimal) TierLine {
	return TierLine{
		Tier:       i,
		From:       clone(from),
		UpTo:       clone(t.UpTo),
		Quantity:   q,
		UnitAmount: t.UnitAmount,
		FlatAmount: t.FlatAmount,
		Amount:     q.Mul(t.UnitAmount).Add(t.FlatAmount),
	}
}

// clone copies a bound so that a Line never aliases its Price.
func clone(d *decimal.Decimal) *decimal.Decimal {
	if d == nil {
		return nil
	}
	c := *d
	return &c
}
