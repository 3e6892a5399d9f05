package rating

import (
	"fmt"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
)

// Validate reports every problem of the price at once, as a domain
// validation error whose fields are snake_case JSON paths relative to the
// price ("tiers[1].up_to"), or nil. It checks:
//
//   - model is flat, per_unit, package or tiered;
//   - amount, tiers[i].unit_amount, tiers[i].flat_amount, free_units and
//     minimum_amount are not negative, and the amounts keep at most
//     MaxPricePlaces (12) decimal places;
//   - package_size is set for a package price and is greater than zero;
//   - rounding is up, down, none or empty; tier_mode is graduated, volume or
//     empty;
//   - a tiered price has tiers; their up_to are strictly increasing and
//     greater than zero; only the last tier is, and it must be, unbounded;
//   - price_unit has a conversion_rate greater than zero.
//
// It also rejects what would otherwise be silently ignored: tiers on a
// price that is not tiered, a non-zero amount on a tiered price,
// package_size or free_units on a flat price, and conversion_rate without
// price_unit. Whether a flat model suits a usage price is the caller's
// check, not this one.
func (p Price) Validate() error {
	var probs domain.Problems

	switch p.Model {
	case ModelFlat, ModelPerUnit, ModelPackage, ModelTiered:
	case "":
		probs.Add("model", "is required: one of flat, per_unit, package, tiered")
	default:
		probs.Add("model", "must be one of flat, per_unit, package, tiered, not %q", string(p.Model))
	}

	checkAmount(&probs, "amount", p.Amount)
	if p.Model == ModelTiered && !p.Amount.IsZero() {
		probs.Add("amount", "is not used by a tiered price: put the prices in tiers")
	}

	switch {
	case p.PackageSize == nil:
		if p.Model == ModelPackage {
			probs.Add("package_size", "is required for a package price")
		}
	case p.PackageSize.Sign() <= 0:
		probs.Add("package_size", "must be greater than zero")
	case p.Model == ModelFlat:
		probs.Add("package_size", "is not used by a flat price")
	}

	switch p.Rounding {
	case "", RoundUp, RoundDown, RoundNone:
	default:
		probs.Add("rounding", "must be one of up, down, none, not %q", string(p.Rounding))
	}
	switch p.TierMode {
	case "", ModeGraduated, ModeVolume:
	default:
		probs.Add("tier_mode", "must be one of graduated, volume, not %q", string(p.TierMode))
	}

	switch {
	case p.Model == ModelTiered && len(p.Tiers) == 0:
		probs.Add("tiers", "a tiered price needs at least one tier")
	case p.Model == ModelTiered:
		checkTiers(&probs, p.Tiers)
	case len(p.Tiers) > 0 && (p.Model == ModelFlat || p.Model == ModelPerUnit || p.Model == ModelPackage):
		probs.Add("tiers", "only a tiered price has tiers")
	}

	if p.FreeUnits.Sign() < 0 {
		probs.Add("free_units", "must not be negative")
	} else if p.Model == ModelFlat && !p.FreeUnits.IsZero() {
		probs.Add("free_units", "is not used by a flat price")
	}

	if p.MinimumAmount != nil {
		checkAmount(&probs, "minimum_amount", *p.MinimumAmount)
	}

	switch {
	case p.PriceUnit != "" && p.ConversionRate == nil:
		probs.Add("conversion_rate", "is required when price_unit is set")
	case p.ConversionRate == nil:
	case p.ConversionRate.Sign() <= 0:
		probs.Add("conversion_rate", "must be greater than zero")
	case p.PriceUnit == "":
		probs.Add("conversion_rate", "is only used with a price_unit")
	}

	return probs.Err()
}

func checkTiers(probs *domain.Problems, tiers []Tier) {
	var prev *decimal.Decimal // the last bounded up_to seen
	for i, t := range tiers {
		field := fmt.Sprintf("tiers[%d]", i)
		last := i == len(tiers)-1
		switch {
		case t.UpTo == nil && !last:
			probs.Add(field+".up_to", "only the last tier may be unbounded (null)")
		case t.UpTo != nil && last:
			probs.Add(field+".up_to", "the last tier must be unbounded (null)")
		}
		if t.UpTo != nil {
			switch {
			case prev != nil && t.UpTo.Cmp(*prev) <= 0:
				probs.Add(field+".up_to", "must be greater than the previous tier's up_to")
			case prev == nil && t.UpTo.Sign() <= 0:
				probs.Add(field+".up_to", "must be greater than zero")
			}
			prev = t.UpTo
		}
		checkAmount(probs, field+".unit_amount", t.UnitAmount)
		checkAmount(probs, field+".flat_amount", t.FlatAmount)
	}
}

// checkAmount records a negative amount or one with more than MaxPricePlaces
// significant decimal places (trailing zeros do not count: 1.50000000000000
// is fine).
func checkAmount(probs *domain.Problems, field string, d decimal.Decimal) {
	if d.Sign() < 0 {
		probs.Add(field, "must not be negative")
	}
	if decimalPlaces(d) > MaxPricePlaces {
		probs.Add(field, "must have at most %d decimal places", MaxPricePlaces)
	}
}
