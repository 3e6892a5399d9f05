package domain

import (
	"testing"

	"github.com/shopspring/decimal"
)

// TestCheckDecimal pins the request limits of decimals: 18 digits before
// the point, 12 after, without expanding the value.
func TestCheckDecimal(t *testing.T) {
	cases := []struct {
		name string
		in   string
		ok   bool
	}{
		{"zero is within the limits", "0", true},
		{"a zero with a huge scale is still zero", "0e-400", true},
		{"an ordinary amount is within the limits", "19.99", true},
		{"18 integer digits are allowed", "999999999999999999", true},
		{"19 integer digits are not", "1000000000000000000", false},
		{"a negative amount is measured by its size", "-999999999999999999.999999999999", true},
		{"a negative amount past the limit is not", "-1e18", false},
		{"12 decimal places are allowed", "0.000000000001", true},
		{"13 decimal places are not", "0.0000000000001", false},
		{"trailing zeros do not count as places", "1.50000000000000000000", true},
		{"1e400 is refused", "1e400", false},
		{"1e-400 is refused", "1e-400", false},
		{"a large exponent on a small coefficient counts its digits", "15e16", true},
		{"a large exponent on a small coefficient past the limit", "15e17", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := decimal.NewFromString(c.in)
			if err != nil {
				t.Fatalf("parse %s: %v", c.in, err)
			}
			err = CheckDecimal("amount", d)
			if (err == nil) != c.ok {
				t.Fatalf("CheckDecimal(%s) = %v, want ok %v", c.in, err, c.ok)
			}
			if err != nil && KindOf(err) != KindValidation {
				t.Fatalf("CheckDecimal(%s) kind %s, want invalid", c.in, KindOf(err))
			}
		})
	}
}
