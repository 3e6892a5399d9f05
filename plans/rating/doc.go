// Package rating turns the quantity a meter measured in one period into the
// amount of one invoice line, by the rules of /spec/pricing.md ("Quantity of
// a usage price", "Models", "Arithmetic"). It is pure: no database, no clock,
// no HTTP. Everything is an exact decimal (shopspring/decimal); there is no
// float64 anywhere.
//
// # Quantity
//
// Before any model sees it, the aggregated quantity is transformed:
//
//  1. free_units are subtracted, never below zero. A negative aggregated
//     quantity (a sum of negative values) is therefore billed as zero.
//  2. If package_size is set (allowed on every usage model, required for
//     "package"), the quantity is divided by it and rounded by rounding:
//     "up" (the default: a started package is a whole package), "down", or
//     "none" (proportional). With package_size, tiers count packages and a
//     per_unit price is a price per package.
//
// With rounding "none" the amount is computed exactly, multiplying before
// dividing: quantity × amount ÷ package_size for per_unit and package, and
// for tiers each tier's units × unit_amount ÷ package_size + flat_amount,
// with tier bounds compared to the exact package count. Only the line is
// rounded: 50 seconds in packages of 60 at 0.006 is exactly 0.005 → 0.01,
// graduated or volume. The package count itself is shown (Line.Billable)
// with [PackagePlaces] (30) decimal places: 1 ÷ 3 does not terminate.
//
// # Models
//
//   - flat: amount per period, whatever the quantity (free_units and
//     package_size do not apply), times the proration Days/OfDays.
//   - per_unit: quantity × amount.
//   - package: packages × amount.
//   - tiered, graduated (the default tier_mode): each tier prices the part of
//     the quantity that falls in it (up_to inclusive, null unbounded) at its
//     unit_amount, plus its flat_amount once the quantity reaches it. The
//     first tier is always reached, even at zero; a later tier is reached when
//     the quantity exceeds the previous tier's up_to. Tiers [≤1000 @ 0,
//     ≤10000 @ 0.01, ∞ @ 0.005]: 25,000 → 0 + 90.00 + 75.00 = 165.00;
//     1,000 → 0.00; 1,001 → 0.01.
//   - tiered, volume: the whole quantity is priced at the tier it falls in,
//     quantity × unit_amount + flat_amount; zero falls in the first tier.
//
// minimum_amount raises the line to the minimum, prorated like a flat fee.
// The comparison is made on exact amounts, in the price unit. Proration
// applies only to flat fees and to minimum_amount: usage is already limited
// to the period, and a tier's flat_amount is not prorated.
//
// # Arithmetic
//
// Unit prices keep up to 12 decimal places (0.0000025 per token). Each line
// is rounded once, half away from zero, to its currency's minor unit (USD 2,
// JPY 0, BHD 3) from the exact amount, never from an intermediate rounding:
// a prorated fee 19.00 × 20/31 = 12.258064… rounds to 12.26. A price in a
// custom unit (price_unit "credits") is rounded first to 6 decimal places in
// that unit, then multiplied by conversion_rate and rounded to the currency:
// 1234.5678915 credits → 1234.567892 → × 0.01 → 12.35. Every amount of a
// Price (amount, unit_amount, flat_amount, minimum_amount) is in its price
// unit.
//
// Each [Line] carries a one-line description a person can check ("5,000,000
// tokens = 5 packages of 1,000,000 × $15.00") and, for tiered prices, the
// breakdown per tier.
package rating
