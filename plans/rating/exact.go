package rating

import (
	"math/big"

	"github.com/shopspring/decimal"
)

var one = decimal.NewFromInt(1)

// fraction is an exact amount num/den with den > 0. A prorated fee (19.00 ×
// 20/31) or a proportional package (1 ÷ 3 × price) need not terminate as a
// decimal, so it is kept as a fraction until the line's single rounding.
type fraction struct {
	num, den decimal.Decimal
}

func whole(d decimal.Decimal) fraction { return fraction{num: d, den: one} }

// cmp compares f and g exactly, by cross-multiplication.
func (f fraction) cmp(g fraction) int {
	return f.num.Mul(g.den).Cmp(g.num.Mul(f.den))
}

// round rounds f once, half away from zero, to places decimal places.
// DivRound decides on the exact remainder, so this is the correctly rounded
// value of the fraction, not a rounding of a rounding.
func (f fraction) round(places int32) decimal.Decimal {
	if f.den.Equal(one) {
		return f.num.Round(places)
	}
	return f.num.DivRound(f.den, places)
}

// decimal is f as a decimal: exact when it terminates within ExactPlaces,
// else cut there (half away from zero).
func (f fraction) decimal() decimal.Decimal {
	if f.den.Equal(one) {
		return f.num
	}
	return trim(f.num.DivRound(f.den, ExactPlaces))
}

// trim drops trailing fractional zeros (82.500000 → 82.5) without changing
// the value.
func trim(d decimal.Decimal) decimal.Decimal {
	places := decimalPlaces(d)
	if d.Exponent() >= 0 || -d.Exponent() == places {
		return d
	}
	return d.Truncate(places)
}

// decimalPlaces is the number of significant fractional digits of d: 0 for
// 15 and 15.00, 7 for 0.0000025. It does not depend on the decimal package's
// global formatting options.
func decimalPlaces(d decimal.Decimal) int32 {
	exp := d.Exponent()
	if exp >= 0 {
		return 0
	}
	coef := d.Coefficient()
	if coef.Sign() == 0 {
		return 0
	}
	places := -exp
	ten := big.NewInt(10)
	q, r := new(big.Int), new(big.Int)
	for places > 0 {
		q.QuoRem(coef, ten, r)
		if r.Sign() != 0 {
			break
		}
		coef, q = q, coef
		places--
	}
	return places
}
