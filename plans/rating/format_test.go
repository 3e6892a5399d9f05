package rating

import "testing"

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		name, got, want string
	}{
		{"thousands are grouped by commas", formatNumber(d("5000000")), "5,000,000"},
		{"three digits are not grouped", formatNumber(d("999")), "999"},
		{"four digits are", formatNumber(d("1000")), "1,000"},
		{"decimals keep their own digits, without trailing zeros", formatNumber(d("1234.5000")), "1,234.5"},
		{"a negative number keeps its sign outside the groups", formatNumber(d("-1234567.89")), "-1,234,567.89"},
		{"a number with a positive exponent is written in full", formatNumber(d("1e6")), "1,000,000"},
		{"zero is 0", formatNumber(d("0.000")), "0"},
		{"a long computed quantity is shown to 6 places, marked approximate", formatApprox(d("0.333333333333333333")), "≈0.333333"},
		{"a short one is shown as is", formatApprox(d("5.5")), "5.5"},
		{"USD uses $ and 2 places", formatMoney("USD", d("15")), "$15.00"},
		{"a unit price keeps its own precision", formatMoney("USD", d("0.0000025")), "$0.0000025"},
		{"a negative USD amount puts the sign before $", formatMoney("USD", d("-5")), "-$5.00"},
		{"other currencies are written by code", formatMoney("EUR", d("1234.5")), "EUR 1,234.50"},
		{"JPY has no decimals", formatMoney("JPY", d("1500")), "JPY 1,500"},
		{"BHD has 3", formatMoney("BHD", d("1.2")), "BHD 1.200"},
		{"custom units are a number and the unit", formatUnits("credits", d("1234.567892")), "1,234.567892 credits"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}

func TestDecimalPlaces(t *testing.T) {
	for s, want := range map[string]int32{
		"15": 0, "15.00": 0, "0.0000025": 7, "0.000000000001": 12, "1.50000000000000000": 1, "1e6": 0, "0.000": 0, "-0.10": 1,
	} {
		if got := decimalPlaces(d(s)); got != want {
			t.Errorf("decimalPlaces(%s) = %d, want %d", s, got, want)
		}
	}
}
