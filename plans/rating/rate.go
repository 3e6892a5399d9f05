package rating

import (
	"fmt"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
)

// Line is one rated invoice line: what was measured, what was billed, and
// how the amount came about.
type Line struct {
	// Quantity is the raw aggregated quantity given to Rate.
	Quantity decimal.Decimal
	// Billable is the quantity the model priced: after free units (never
	// below zero) and, with package_size, the package count (proportional
	// counts keep PackagePlaces decimals). A flat fee bills 1.
	Billable decimal.Decimal
	// Exact is the amount before the line's single rounding, in the price
	// unit, after any minimum. When it does not terminate it is cut at
	// ExactPlaces; the rounding itself uses the exact fraction.
	Exact decimal.Decimal
	// UnitAmount is the amount in the price unit, rounded once: to
	// CustomUnitPlaces (6) for a custom unit, to the currency's minor unit
	// otherwise (then it equals Amount).
	UnitAmount decimal.Decimal
	// Amount is the line's amount in the currency, rounded once to the
	// currency's minor unit, half away from zero. Custom units: UnitAmount ×
	// conversion_rate, rounded.
	Amount decimal.Decimal
	// Tiers is the breakdown of a tiered price: every tier reached
	// (graduated) or the one tier the quantity falls in (volume). Nil unless
	// the price is tiered.
	Tiers []TierLine
	// MinimumApplied says the line was raised to minimum_amount.
	MinimumApplied bool
	// Description is one line a person can check the amount by.
	Description string
}

// Rate prices quantity (the meter's aggregate for one period) by p in
// currency cur, prorating flat fees and minimum_amount by pr.
//
// It returns the validation error of p (see Price.Validate) rather than
// rating an invalid price, and a plain (untyped) error for a currency that
// is not an upper-case ISO 4217 code or an invalid proration, since those are
// the caller's bugs. The steps, each exact until the last:
//
//  1. quantity − free_units, not below zero (a negative quantity bills 0);
//  2. ÷ package_size, rounded up, down or not at all (see the package doc);
//  3. the model: flat amount × Days/OfDays, per_unit or package billable ×
//     amount (rounding none: quantity × amount ÷ package_size), or tiers
//     (rounding none: each tier's units × unit_amount ÷ package_size);
//  4. raised to minimum_amount × Days/OfDays if below it;
//  5. rounded once to the currency (custom units: to 6 places, × conversion
//     rate, to the currency).
func Rate(p Price, quantity decimal.Decimal, cur domain.Currency, pr Proration) (Line, error) {
	if err := p.Validate(); err != nil {
		return Line{}, err
	}
	if err := pr.check(); err != nil {
		return Line{}, err
	}
	if c, ok := domain.ParseCurrency(string(cur)); !ok || c != cur {
		return Line{}, fmt.Errorf("rating: unknown currency %q", string(cur))
	}

	line := Line{Quantity: quantity}
	var q quantities
	var amount fraction
	switch p.Model {
	case ModelFlat:
		line.Billable = one
		amount = pr.apply(p.Amount)
	case ModelPerUnit, ModelPackage:
		q = billableQuantity(p, quantity)
		line.Billable = q.billable
		if p.proportional() {
			// Multiply before dividing: 5,500,000 × 15 ÷ 1,000,000 = 82.5.
			amount = fraction{num: q.afterFree.Mul(p.Amount), den: *p.PackageSize}
		} else {
			amount = whole(q.billable.Mul(p.Amount))
		}
	case ModelTiered:
		q = billableQuantity(p, quantity)
		line.Billable = q.billable
		if p.tierMode() == ModeVolume {
			line.Tiers, amount = volume(p.Tiers, q.exact(p))
		} else {
			line.Tiers, amount = graduated(p.Tiers, q.exact(p))
		}
	}

	if p.MinimumAmount != nil {
		if minimum := pr.apply(*p.MinimumAmount); amount.cmp(minimum) < 0 {
			amount = minimum
			line.MinimumApplied = true
		}
	}

	line.Exact = amount.decimal()
	line.UnitAmount, line.Amount = settle(p, amount, cur)
	line.Description = describe(p, line, q, cur, pr)
	return line, nil
}

// settle rounds the exact amount once into the currency: directly to its
// minor unit, or for a custom unit first to CustomUnitPlaces in that unit,
// then × conversion_rate and to the minor unit.
func settle(p Price, amount fraction, cur domain.Currency) (unitAmount, currencyAmount decimal.Decimal) {
	if p.PriceUnit == "" {
		a := amount.round(cur.MinorUnits())
		return a, a
	}
	u := amount.round(CustomUnitPlaces)
	return u, cur.Round(u.Mul(*p.ConversionRate))
}
