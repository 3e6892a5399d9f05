package rating

import "github.com/shopspring/decimal"

// quantities is a raw quantity after the transform every usage model starts
// with.
type quantities struct {
	// afterFree is the quantity less free_units, never below zero.
	afterFree decimal.Decimal
	// billable is afterFree, or its package count when package_size is set:
	// rounded up or down to a whole count, or proportional with
	// PackagePlaces decimal places for rounding "none" (shown, never priced:
	// prices use exact).
	billable decimal.Decimal
}

// billableQuantity subtracts free units (not below zero) and, if the price
// has a package_size, divides by it and rounds by the price's rounding. A
// zero quantity is zero packages whatever the rounding.
func billableQuantity(p Price, quantity decimal.Decimal) quantities {
	afterFree := quantity.Sub(p.FreeUnits)
	if afterFree.Sign() < 0 {
		afterFree = decimal.Zero
	}
	if p.PackageSize == nil {
		return quantities{afterFree: afterFree, billable: afterFree}
	}
	return quantities{afterFree: afterFree, billable: packages(afterFree, *p.PackageSize, p.rounding())}
}

// packages divides a non-negative quantity by a positive package size.
func packages(q, size decimal.Decimal, r Rounding) decimal.Decimal {
	if r == RoundNone {
		return trim(q.DivRound(size, PackagePlaces))
	}
	count, rest := q.QuoRem(size, 0)
	if r == RoundUp && rest.Sign() > 0 {
		count = count.Add(one)
	}
	return count
}

// exact is the billable quantity as an exact fraction: the proportional
// package count afterFree ÷ package_size for rounding "none" (which need
// not terminate), else billable itself.
func (q quantities) exact(p Price) fraction {
	if p.proportional() {
		return fraction{num: q.afterFree, den: *p.PackageSize}
	}
	return whole(q.billable)
}

// proportional reports whether the price divides by package_size without
// rounding the package count.
func (p Price) proportional() bool {
	return p.PackageSize != nil && p.rounding() == RoundNone
}
