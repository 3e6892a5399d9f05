package rating

import (
	"strings"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
)

// describePlaces is the most decimal places a description shows of a
// quantity that does not terminate (1 ÷ 3 packages shows as ≈0.333333).
const describePlaces = 6

// formatNumber writes d with its own significant decimals and thousands
// grouped by commas: 5000000 → "5,000,000", 1234.5 → "1,234.5".
func formatNumber(d decimal.Decimal) string {
	return group(d.StringFixed(decimalPlaces(d)))
}

// formatApprox is formatNumber for a computed quantity: beyond
// describePlaces decimals it is rounded there and marked "≈".
func formatApprox(d decimal.Decimal) string {
	if decimalPlaces(d) > describePlaces {
		return "≈" + formatNumber(d.Round(describePlaces))
	}
	return formatNumber(d)
}

// formatMoney writes an amount in a currency with at least the currency's
// minor-unit digits and all of its own ("$15.00", "$0.0000025", "EUR
// 1,234.50", "JPY 1,500"). USD is written "$", any other currency by code.
func formatMoney(cur domain.Currency, d decimal.Decimal) string {
	places := max(decimalPlaces(d), cur.MinorUnits())
	digits := group(d.StringFixed(places))
	if cur == "USD" {
		if rest, neg := strings.CutPrefix(digits, "-"); neg {
			return "-$" + rest
		}
		return "$" + digits
	}
	return string(cur) + " " + digits
}

// formatUnits writes an amount in a custom price unit: "1,234.567892
// credits".
func formatUnits(unit string, d decimal.Decimal) string {
	return formatNumber(d) + " " + unit
}

// formatPrice writes an amount of the price's own unit: money in the
// currency, or a number of custom units.
func formatPrice(p Price, cur domain.Currency, d decimal.Decimal) string {
	if p.PriceUnit != "" {
		return formatUnits(p.PriceUnit, d)
	}
	return formatMoney(cur, d)
}

// group inserts commas every three digits of the integer part of a plain
// decimal string ("-1234567.89" → "-1,234,567.89").
func group(s string) string {
	sign := ""
	if rest, neg := strings.CutPrefix(s, "-"); neg {
		sign, s = "-", rest
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	b.WriteString(sign)
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// plural writes "1 package" or "5 packages".
func plural(n decimal.Decimal, text, word string) string {
	if n.Equal(one) {
		return text + " " + word
	}
	return text + " " + word + "s"
}
