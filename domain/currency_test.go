package domain

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestParseCurrency(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     Currency
		ok       bool
	}{
		{"an upper-case code is a currency", "USD", "USD", true},
		{"a lower-case code is upper-cased", "jpy", "JPY", true},
		{"spaces around a code are trimmed", " eur ", "EUR", true},
		{"an unknown code is not a currency", "XYZ", "", false},
		{"the empty string is not a currency", "", "", false},
		{"a code with a letter too many is not a currency", "USDD", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ParseCurrency(tc.in)
			if got != tc.want || ok != tc.ok {
				t.Errorf("ParseCurrency(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestMinorUnits(t *testing.T) {
	for _, tc := range []struct {
		name string
		cur  Currency
		want int32
	}{
		{"USD has 2 minor-unit digits", "USD", 2},
		{"JPY has none", "JPY", 0},
		{"BHD has 3", "BHD", 3},
		{"CLF has 4", "CLF", 4},
		{"an unknown code gets 2", "XYZ", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.cur.MinorUnits(); got != tc.want {
				t.Errorf("%s.MinorUnits() = %d, want %d", tc.cur, got, tc.want)
			}
		})
	}
}

func TestRoundHalfAwayFromZero(t *testing.T) {
	for _, tc := range []struct {
		name string
		cur  Currency
		in   string
		want string
	}{
		{"USD 2.345 rounds up to 2.35", "USD", "2.345", "2.35"},
		{"USD -2.345 rounds away from zero to -2.35", "USD", "-2.345", "-2.35"},
		{"USD 2.344 rounds down to 2.34", "USD", "2.344", "2.34"},
		{"USD 0.005 rounds up to 0.01", "USD", "0.005", "0.01"},
		{"USD -0.005 rounds to -0.01", "USD", "-0.005", "-0.01"},
		{"USD 0.0049999 rounds to 0.00", "USD", "0.0049999", "0.00"},
		{"USD 2.355 rounds up to 2.36 (not to even)", "USD", "2.355", "2.36"},
		{"USD an amount already in cents is unchanged", "USD", "202.50", "202.50"},
		{"JPY 0.5 rounds to 1", "JPY", "0.5", "1"},
		{"JPY -0.5 rounds to -1", "JPY", "-0.5", "-1"},
		{"JPY 2.5 rounds to 3 (not to even)", "JPY", "2.5", "3"},
		{"JPY 1.4999 rounds to 1", "JPY", "1.4999", "1"},
		{"BHD 1.0005 rounds to 1.001", "BHD", "1.0005", "1.001"},
		{"BHD -1.0005 rounds to -1.001", "BHD", "-1.0005", "-1.001"},
		{"BHD 1.00049 rounds to 1.000", "BHD", "1.00049", "1.000"},
		{"a long exact fraction rounds once: 12.258064516 → 12.26", "USD", "12.258064516", "12.26"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.cur.Round(dec(tc.in))
			if !got.Equal(dec(tc.want)) {
				t.Errorf("%s.Round(%s) = %s, want %s", tc.cur, tc.in, got, tc.want)
			}
			if got.Exponent() != -tc.cur.MinorUnits() {
				t.Errorf("%s.Round(%s) = %s has more than the minor unit's digits", tc.cur, tc.in, got)
			}
		})
	}
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		name string
		cur  Currency
		in   string
		want string
	}{
		{"USD is written with 2 decimals", "USD", "202.5", "202.50"},
		{"JPY without decimals", "JPY", "1500", "1500"},
		{"BHD with 3", "BHD", "1.2", "1.200"},
		{"a negative amount keeps its sign", "USD", "-0.5", "-0.50"},
		{"zero is 0.00", "USD", "0", "0.00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.cur.Format(dec(tc.in)); got != tc.want {
				t.Errorf("%s.Format(%s) = %q, want %q", tc.cur, tc.in, got, tc.want)
			}
		})
	}
}

func TestToMinor(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cur     Currency
		in      string
		want    int64
		problem string // a word the error must hold; "" = no error
	}{
		{"USD 202.50 is 20250 cents", "USD", "202.50", 20250, ""},
		{"USD 0.01 is 1 cent", "USD", "0.01", 1, ""},
		{"USD trailing zeros do not matter: 12.3400 is 1234", "USD", "12.3400", 1234, ""},
		{"USD -1.23 is -123 cents", "USD", "-1.23", -123, ""},
		{"zero is 0", "USD", "0", 0, ""},
		{"JPY 1500 is 1500", "JPY", "1500", 1500, ""},
		{"BHD 1.005 is 1005 fils", "BHD", "1.005", 1005, ""},
		{"BHD -1.005 is -1005", "BHD", "-1.005", -1005, ""},
		{"USD the largest int64 of cents converts", "USD", "92233720368547758.07", 9223372036854775807, ""},
		{"USD the smallest int64 of cents converts", "USD", "-92233720368547758.08", -9223372036854775808, ""},
		{"USD 12.345 is not a whole number of cents", "USD", "12.345", 0, "whole number"},
		{"JPY 0.5 is not a whole number of yen", "JPY", "0.5", 0, "whole number"},
		{"USD one cent past int64 does not wrap", "USD", "92233720368547758.08", 0, "beyond"},
		{"USD one cent below int64 does not wrap", "USD", "-92233720368547758.09", 0, "beyond"},
		{"1e20 USD is beyond int64 cents", "USD", "1e20", 0, "beyond"},
		{"1e400 USD does not become 0", "USD", "1e400", 0, "beyond"},
		{"1e2000000000 USD is refused without building the number", "USD", "huge", 0, "beyond"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			amount := decimal.New(1, 2_000_000_000) // no literal parses this large
			if tc.in != "huge" {
				amount = dec(tc.in)
			}
			got, err := tc.cur.ToMinor(amount)
			switch {
			case tc.problem == "" && err != nil:
				t.Fatalf("%s.ToMinor(%s): unexpected error %v", tc.cur, tc.in, err)
			case tc.problem != "" && err == nil:
				t.Fatalf("%s.ToMinor(%s) = %d, want an error", tc.cur, tc.in, got)
			case tc.problem != "" && !strings.Contains(err.Error(), tc.problem):
				t.Fatalf("%s.ToMinor(%s) error %q does not say %q", tc.cur, tc.in, err, tc.problem)
			case got != tc.want:
				t.Errorf("%s.ToMinor(%s) = %d, want %d", tc.cur, tc.in, got, tc.want)
			}
		})
	}
}
