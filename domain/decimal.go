package domain

import (
	"strings"

	"github.com/shopspring/decimal"
)

// Limits of every decimal a request carries (amounts, prices, quantities,
// rates, thresholds): at most MaxDecimalIntegerDigits digits before the
// point (below 10^18, a quintillion) and at most MaxDecimalPlaces after it.
// They keep a value storable, rateable and printable in bounded time and
// space: `1e400` or `"1e400"` is a 422 naming the field, not a 401-digit
// grant. Trailing zeros after the point do not count ("1.500000000000000"
// is 1.5), leading zeros never do.
const (
	MaxDecimalIntegerDigits = 18
	MaxDecimalPlaces        = 12
)

// CheckDecimal reports a decimal beyond the request limits above as a
// validation error on field; nil when d is within them.
func CheckDecimal(field string, d decimal.Decimal) error {
	var p Problems
	AddDecimalProblems(&p, field, d)
	return p.Err()
}

// AddDecimalProblems records in p what makes d exceed the request limits,
// under field (nothing when d is within them). It never expands the value:
// a huge exponent costs as little as a small one.
func AddDecimalProblems(p *Problems, field string, d decimal.Decimal) {
	if d.IsZero() {
		return
	}
	coef := d.Coefficient()
	exp := int64(d.Exponent())
	// Drop trailing zeros of the coefficient into the exponent, so that
	// 1.500 is 15e-1; the digits left are the significant ones.
	s := coef.Abs(coef).String()
	trimmed := strings.TrimRight(s, "0")
	exp += int64(len(s) - len(trimmed))
	digits := int64(len(trimmed))
	if intDigits := digits + exp; intDigits > MaxDecimalIntegerDigits {
		p.Add(field, "must be below 10^%d (at most %d digits before the decimal point)", MaxDecimalIntegerDigits, MaxDecimalIntegerDigits)
	}
	if exp < -MaxDecimalPlaces {
		p.Add(field, "must have at most %d decimal places", MaxDecimalPlaces)
	}
}
