package ui

import (
	"html/template"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Funcs are the template functions every page has:
//
//	money AMOUNT CURRENCY [LOCALE]  "$1,234.50", "1.234,50 €"
//	qty AMOUNT [LOCALE]             "12,500" or "0.25" (exact, grouped)
//	date TIME ZONE                  "Dec 1, 2026" in the IANA zone
//	datetime TIME ZONE              "Dec 1, 2026, 14:05 CET"
//	period START END ZONE           "Mar 1, 2026 – Mar 31, 2026" (the days a half-open period covers)
//	percent DECIMAL                 "80%" (a fraction 0.8, or a percent when over 1 is meant: see Percent)
//	dec STRING                      a decimal from a string (for literals)
func Funcs() template.FuncMap {
	return template.FuncMap{
		"money": func(amount any, currency string, locale ...string) string {
			return Money(toDecimal(amount), currency, first(locale))
		},
		"qty":  func(amount any, locale ...string) string { return Quantity(toDecimal(amount), first(locale)) },
		"date": func(t time.Time, zone string) string { return Date(t, zone) },
		"datetime": func(t time.Time, zone string) string {
			return DateTime(t, zone)
		},
		"percent": func(d any) string { return Percent(toDecimal(d)) },
		"period":  func(start, end time.Time, zone string) string { return PeriodDates(start, end, zone) },
		"dec":     func(s string) decimal.Decimal { return decimal.RequireFromString(s) },
	}
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func toDecimal(v any) decimal.Decimal {
	switch x := v.(type) {
	case decimal.Decimal:
		return x
	case *decimal.Decimal:
		if x == nil {
			return decimal.Zero
		}
		return *x
	case decimal.NullDecimal:
		return x.Decimal
	case string:
		d, err := decimal.NewFromString(x)
		if err != nil {
			return decimal.Zero
		}
		return d
	case int:
		return decimal.NewFromInt(int64(x))
	case int64:
		return decimal.NewFromInt(x)
	}
	return decimal.Zero
}

// minorUnits are the currencies whose minor unit is not the cent.
var minorUnits = map[string]int32{"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "HUF": 2, "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3}

// symbols are the currency signs written instead of the ISO code.
var symbols = map[string]string{"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "KRW": "₩", "CAD": "CA$", "AUD": "A$", "BRL": "R$", "CNY": "CN¥", "MXN": "MX$", "NZD": "NZ$"}

// style is how a locale writes numbers and where its currency sign goes.
type style struct {
	group, decimal string
	signAfter      bool // "1.234,50 €" rather than "€1,234.50"
}

// styleOf returns the number style of a BCP 47 locale ("en-US", "de",
// "fr-FR"); unknown or empty locales write English numbers.
func styleOf(locale string) style {
	lang := strings.ToLower(strings.SplitN(strings.ReplaceAll(locale, "_", "-"), "-", 2)[0])
	switch lang {
	case "de", "es", "it", "nl", "pt", "id", "tr", "da", "el":
		return style{group: ".", decimal: ",", signAfter: true}
	case "fr", "sv", "nb", "fi", "pl", "cs", "ru", "uk":
		return style{group: "\u202f", decimal: ",", signAfter: true}
	}
	return style{group: ",", decimal: "."}
}

// Money writes amount in currency for a reader of locale: grouped, with the
// currency's minor units at least ("$5.00", "¥500") and every further
// digit the amount has (a unit price of "$0.0000025" stays exact; nothing
// is ever rounded here, since rounding is pricing.md's, done before).
func Money(amount decimal.Decimal, currency, locale string) string {
	currency = strings.ToUpper(currency)
	minor, ok := minorUnits[currency]
	if !ok {
		minor = 2
	}
	st := styleOf(locale)
	num := number(amount.Abs(), minor, st)
	sign := ""
	if amount.IsNegative() {
		sign = "-"
	}
	sym, ok := symbols[currency]
	if !ok {
		sym = currency
	}
	if st.signAfter {
		return sign + num + "\u00a0" + sym
	}
	if !ok { // an ISO code before the number reads better with a space
		return sign + sym + "\u00a0" + num
	}
	return sign + sym + num
}

// Quantity writes a quantity exactly, grouped for locale, with no trailing
// zeros ("12,500", "0.25", "1,000,000.5").
func Quantity(q decimal.Decimal, locale string) string {
	st := styleOf(locale)
	sign := ""
	if q.IsNegative() {
		sign = "-"
	}
	return sign + number(q.Abs(), 0, st)
}

// number writes a non-negative d with at least minDigits decimals.
func number(d decimal.Decimal, minDigits int32, st style) string {
	s := d.StringFixed(max(minDigits, decimalsOf(d)))
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(st.group)
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteString(st.decimal)
		b.WriteString(frac)
	}
	return b.String()
}

// decimalsOf is how many decimals d needs to be written exactly.
func decimalsOf(d decimal.Decimal) int32 {
	s := d.String()
	_, frac, ok := strings.Cut(s, ".")
	if !ok {
		return 0
	}
	return int32(len(strings.TrimRight(frac, "0")))
}

// Percent writes a fraction as a percent, exact to two decimals at most
// ("80%", "12.5%").
func Percent(f decimal.Decimal) string {
	return f.Mul(decimal.NewFromInt(100)).Round(2).String() + "%"
}

// location loads an IANA zone; an unknown or empty zone is UTC.
func location(zone string) *time.Location {
	if zone == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Date writes t as a day in zone ("Dec 1, 2026").
func Date(t time.Time, zone string) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(location(zone)).Format("Jan 2, 2006")
}

// DateTime writes t as a time in zone with the zone's abbreviation
// ("Dec 1, 2026, 14:05 CET").
func DateTime(t time.Time, zone string) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(location(zone)).Format("Jan 2, 2006, 15:04 MST")
}

// PeriodDates writes the days a half-open period [start, end) covers in
// zone, as a person reads a billing period: a month from Mar 1 to Apr 1
// midnight is "Mar 1, 2026 – Mar 31, 2026" (the end instant itself is not
// in the period); a period inside one day is that day; no end is "from
// <start>".
func PeriodDates(start, end time.Time, zone string) string {
	if end.IsZero() {
		return "from " + Date(start, zone)
	}
	from, to := Date(start, zone), Date(start, zone)
	if end.After(start) {
		to = Date(end.Add(-time.Nanosecond), zone)
	}
	if from == to {
		return from
	}
	return from + " – " + to
}
