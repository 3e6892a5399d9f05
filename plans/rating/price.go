package rating

import "github.com/shopspring/decimal"

// Model is how a price turns a quantity into an amount.
type Model string

const (
	// ModelFlat is a fixed amount per period, whatever the quantity.
	ModelFlat Model = "flat"
	// ModelPerUnit is quantity × amount (packages × amount with package_size).
	ModelPerUnit Model = "per_unit"
	// ModelPackage is packages × amount; package_size is required.
	ModelPackage Model = "package"
	// ModelTiered prices the quantity through Tiers, by TierMode.
	ModelTiered Model = "tiered"
)

// TierMode is how tiers price a quantity. Empty means graduated.
type TierMode string

const (
	// ModeGraduated prices each part of the quantity at the tier it falls in.
	ModeGraduated TierMode = "graduated"
	// ModeVolume prices the whole quantity at the tier it falls in.
	ModeVolume TierMode = "volume"
)

// Rounding is how a quantity divided by package_size becomes a package
// count. Empty means up.
type Rounding string

const (
	// RoundUp counts a started package as a whole package (ceiling).
	RoundUp Rounding = "up"
	// RoundDown counts whole packages only (floor).
	RoundDown Rounding = "down"
	// RoundNone counts packages proportionally (5.5 packages).
	RoundNone Rounding = "none"
)

// MaxPricePlaces is the most decimal places a price amount may carry
// (0.000000000001 per unit).
const MaxPricePlaces = 12

// CustomUnitPlaces is the number of decimal places a line in a custom price
// unit is rounded to before it is converted to the currency.
const CustomUnitPlaces = 6

// PackagePlaces is the precision a proportional (rounding "none") package
// count is shown with (Line.Billable). No price uses it: per_unit, package
// and tiers all multiply before dividing by package_size, so the amount is
// exact and only the line is rounded.
const PackagePlaces = 30

// ExactPlaces is where Line.Exact is cut when the exact amount does not
// terminate as a decimal (a proration of 20/31 days, a package of 3). The
// rounded amounts are computed from the exact fraction, not from this cut.
const ExactPlaces = 30

// Tier is one step of a tiered price. Tiers are ordered by UpTo, strictly
// increasing; only the last one is unbounded.
type Tier struct {
	// UpTo is the inclusive upper bound of the tier in units (in packages
	// when the price has a package_size); nil means unbounded.
	UpTo *decimal.Decimal
	// UnitAmount is the price of one unit in this tier.
	UnitAmount decimal.Decimal
	// FlatAmount is added once when the quantity reaches this tier
	// (graduated) or falls in it (volume). It is not prorated.
	FlatAmount decimal.Decimal
}

// Price is how one plan price is rated. All its amounts are in the price
// unit: the plan's currency, or PriceUnit when set.
type Price struct {
	Model Model
	// Amount is per period (flat), per unit (per_unit; per package when
	// PackageSize is set) or per package (package). Unused by tiered.
	Amount decimal.Decimal
	// PackageSize divides the quantity into packages, rounded by Rounding.
	// Allowed on every usage model, required for package, unused by flat.
	PackageSize *decimal.Decimal
	Rounding    Rounding
	TierMode    TierMode
	Tiers       []Tier
	// FreeUnits are subtracted from the quantity first, never below zero.
	FreeUnits decimal.Decimal
	// MinimumAmount raises the line to it, prorated like a flat fee.
	MinimumAmount *decimal.Decimal
	// PriceUnit is a custom unit ("credits"); "" means the plan currency.
	PriceUnit string
	// ConversionRate is the value of one PriceUnit in the currency; required
	// when PriceUnit is set.
	ConversionRate *decimal.Decimal
	// Unit names what the quantity counts ("tokens"), for descriptions; ""
	// shows as "units".
	Unit string
}

func (p Price) rounding() Rounding {
	if p.Rounding == "" {
		return RoundUp
	}
	return p.Rounding
}

func (p Price) tierMode() TierMode {
	if p.TierMode == "" {
		return ModeGraduated
	}
	return p.TierMode
}

func (p Price) unit() string {
	if p.Unit == "" {
		return "units"
	}
	return p.Unit
}
