package domain

import (
	"fmt"
	"math"
	"strings"

	"github.com/shopspring/decimal"
)

// minorUnits maps every active ISO 4217 currency code to its number of minor
// unit digits (USD 2, JPY 0, BHD 3). A code missing here is not a currency.
var minorUnits = map[string]int32{
	"AED": 2, "AFN": 2, "ALL": 2, "AMD": 2, "ANG": 2, "AOA": 2, "ARS": 2, "AUD": 2, "AWG": 2, "AZN": 2,
	"BAM": 2, "BBD": 2, "BDT": 2, "BGN": 2, "BHD": 3, "BIF": 0, "BMD": 2, "BND": 2, "BOB": 2, "BRL": 2,
	"BSD": 2, "BTN": 2, "BWP": 2, "BYN": 2, "BZD": 2, "CAD": 2, "CDF": 2, "CHF": 2, "CLF": 4, "CLP": 0,
	"CNY": 2, "COP": 2, "CRC": 2, "CUP": 2, "CVE": 2, "CZK": 2, "DJF": 0, "DKK": 2, "DOP": 2, "DZD": 2,
	"EGP": 2, "ERN": 2, "ETB": 2, "EUR": 2, "FJD": 2, "FKP": 2, "GBP": 2, "GEL": 2, "GHS": 2, "GIP": 2,
	"GMD": 2, "GNF": 0, "GTQ": 2, "GYD": 2, "HKD": 2, "HNL": 2, "HTG": 2, "HUF": 2, "IDR": 2, "ILS": 2,
	"INR": 2, "IQD": 3, "IRR": 2, "ISK": 0, "JMD": 2, "JOD": 3, "JPY": 0, "KES": 2, "KGS": 2, "KHR": 2,
	"KMF": 0, "KPW": 2, "KRW": 0, "KWD": 3, "KYD": 2, "KZT": 2, "LAK": 2, "LBP": 2, "LKR": 2, "LRD": 2,
	"LSL": 2, "LYD": 3, "MAD": 2, "MDL": 2, "MGA": 2, "MKD": 2, "MMK": 2, "MNT": 2, "MOP": 2, "MRU": 2,
	"MUR": 2, "MVR": 2, "MWK": 2, "MXN": 2, "MYR": 2, "MZN": 2, "NAD": 2, "NGN": 2, "NIO": 2, "NOK": 2,
	"NPR": 2, "NZD": 2, "OMR": 3, "PAB": 2, "PEN": 2, "PGK": 2, "PHP": 2, "PKR": 2, "PLN": 2, "PYG": 0,
	"QAR": 2, "RON": 2, "RSD": 2, "RUB": 2, "RWF": 0, "SAR": 2, "SBD": 2, "SCR": 2, "SDG": 2, "SEK": 2,
	"SGD": 2, "SHP": 2, "SLE": 2, "SOS": 2, "SRD": 2, "SSP": 2, "STN": 2, "SVC": 2, "SYP": 2, "SZL": 2,
	"THB": 2, "TJS": 2, "TMT": 2, "TND": 3, "TOP": 2, "TRY": 2, "TTD": 2, "TWD": 2, "TZS": 2, "UAH": 2,
	"UGX": 0, "USD": 2, "UYI": 0, "UYU": 2, "UYW": 4, "UZS": 2, "VES": 2, "VND": 0, "VUV": 0, "WST": 2,
	"XAF": 0, "XCD": 2, "XOF": 0, "XPF": 0, "YER": 2, "ZAR": 2, "ZMW": 2, "ZWL": 2,
}

// Currency is an upper-case ISO 4217 code.
type Currency string

// ParseCurrency accepts a code in any case and returns it upper-cased, or
// false if it is not an ISO 4217 currency.
func ParseCurrency(s string) (Currency, bool) {
	c := strings.ToUpper(strings.TrimSpace(s))
	if _, ok := minorUnits[c]; !ok {
		return "", false
	}
	return Currency(c), true
}

// MinorUnits is the number of decimal places of the currency's minor unit.
// Unknown codes get 2, but validation keeps them out of the system.
func (c Currency) MinorUnits() int32 {
	if n, ok := minorUnits[string(c)]; ok {
		return n
	}
	return 2
}

// Round rounds an amount once to the currency's minor unit, half away from
// zero (2.345 USD → 2.35, -2.345 → -2.35, 0.5 JPY → 1).
func (c Currency) Round(d decimal.Decimal) decimal.Decimal {
	return d.Round(c.MinorUnits())
}

// Format writes an amount with exactly the currency's minor-unit digits
// ("202.50", "1500" for JPY), as the API shows money.
func (c Currency) Format(d decimal.Decimal) string {
	return d.StringFixed(c.MinorUnits())
}

// ToMinor converts an amount into integer minor units (cents), as a payment
// provider takes them: 202.50 USD → 20250, 1500 JPY → 1500, -1.005 BHD →
// -1005. It is exact or an error: it never rounds and never wraps. An amount
// with more digits than the currency's minor unit (12.345 USD) is an error,
// and so is one beyond an int64 of minor units (92,233,720,368,547,758.08
// USD, 1e20, 1e400). A caller with a tighter limit (a provider's maximum)
// checks it on the result.
func (c Currency) ToMinor(d decimal.Decimal) (int64, error) {
	if d.IsZero() {
		return 0, nil
	}
	places := c.MinorUnits()
	// Refuse huge amounts by their digit count before building the integer:
	// 1e1000000000 must not allocate a billion digits.
	if exp := int64(d.Exponent()) + int64(places); exp > 0 && int64(d.NumDigits())+exp > 19 {
		return 0, fmt.Errorf("%s %s is beyond %d minor units", shortText(d), c, int64(math.MaxInt64))
	}
	minor := d.Shift(places)
	if !minor.IsInteger() {
		return 0, fmt.Errorf("%s %s is not a whole number of minor units (%d decimal places)", shortText(d), c, places)
	}
	n := minor.BigInt()
	if !n.IsInt64() {
		return 0, fmt.Errorf("%s %s is beyond %d minor units", shortText(d), c, int64(math.MaxInt64))
	}
	return n.Int64(), nil
}

// shortText writes d for a message: in full, or as coefficient e exponent
// when that would run past 40 digits (1e400, not four hundred digits).
func shortText(d decimal.Decimal) string {
	if e := d.Exponent(); e > 20 || e < -20 {
		return fmt.Sprintf("%se%d", d.Coefficient().String(), e)
	}
	return d.String()
}
