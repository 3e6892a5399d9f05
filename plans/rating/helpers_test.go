package rating

import (
	"testing"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
)

// d reads a decimal literal; tests never write amounts as floats.
func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// dp is d as a pointer, for optional fields.
func dp(s string) *decimal.Decimal {
	v := d(s)
	return &v
}

// rateCase is one row of a rating table: a price, a quantity, and the amount
// worked out by hand.
type rateCase struct {
	name     string
	price    Price
	quantity string
	currency domain.Currency // USD when empty
	prorate  Proration

	amount   string // the line's final amount in the currency
	exact    string // if set, Line.Exact
	unit     string // if set, Line.UnitAmount
	billable string // if set, Line.Billable
	minimum  bool   // Line.MinimumApplied
	describe string // if set, Line.Description
}

func runRateCases(t *testing.T, cases []rateCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cur := tc.currency
			if cur == "" {
				cur = "USD"
			}
			line, err := Rate(tc.price, d(tc.quantity), cur, tc.prorate)
			if err != nil {
				t.Fatalf("Rate: unexpected error %v", err)
			}
			if !line.Amount.Equal(d(tc.amount)) {
				t.Errorf("Amount = %s, want %s (exact %s)", line.Amount, tc.amount, line.Exact)
			}
			if got := line.Amount.Exponent(); got != -cur.MinorUnits() {
				t.Errorf("Amount %s has exponent %d, want %d (rounded to the %s minor unit)", line.Amount, got, -cur.MinorUnits(), cur)
			}
			if tc.exact != "" && !line.Exact.Equal(d(tc.exact)) {
				t.Errorf("Exact = %s, want %s", line.Exact, tc.exact)
			}
			if tc.unit != "" && !line.UnitAmount.Equal(d(tc.unit)) {
				t.Errorf("UnitAmount = %s, want %s", line.UnitAmount, tc.unit)
			}
			if tc.price.PriceUnit == "" && !line.UnitAmount.Equal(line.Amount) {
				t.Errorf("UnitAmount = %s, want it equal to Amount %s without a custom unit", line.UnitAmount, line.Amount)
			}
			if tc.billable != "" && !line.Billable.Equal(d(tc.billable)) {
				t.Errorf("Billable = %s, want %s", line.Billable, tc.billable)
			}
			if !line.Quantity.Equal(d(tc.quantity)) {
				t.Errorf("Quantity = %s, want the raw %s", line.Quantity, tc.quantity)
			}
			if line.MinimumApplied != tc.minimum {
				t.Errorf("MinimumApplied = %v, want %v", line.MinimumApplied, tc.minimum)
			}
			if tc.describe != "" && line.Description != tc.describe {
				t.Errorf("Description = %q, want %q", line.Description, tc.describe)
			}
			if tc.price.Model != ModelTiered && line.Tiers != nil {
				t.Errorf("Tiers = %v, want nil for a %s price", line.Tiers, tc.price.Model)
			}
		})
	}
}
