package plans

import (
	"slices"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
)

func dec(s string) *decimal.Decimal { d := decimal.RequireFromString(s); return &d }

// fieldsOf returns the fields of a validation error's problems, in order.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	e, ok := domain.AsError(err)
	if !ok {
		t.Fatalf("not a domain error: %v", err)
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

// TestEachPriceProblemIsReportedOnceUnderItsField: the catalog checks what a
// price is sold as, the rating math its numbers; no rule lives in both.
func TestEachPriceProblemIsReportedOnceUnderItsField(t *testing.T) {
	ms := metersByKey{"calls": {ID: "mtr_1", Key: "calls", Unit: "call"}}
	cases := []struct {
		name string
		in   PriceInput
		want []string
	}{
		{"free units on a fixed fee", PriceInput{Key: "base", Type: "fixed", Amount: dec("10"), FreeUnits: dec("5")}, []string{"free_units"}},
		{"package size on a fixed fee", PriceInput{Key: "base", Type: "fixed", Amount: dec("10"), PackageSize: dec("5")}, []string{"package_size"}},
		{"tiers on a per-unit price", PriceInput{Key: "u", Type: "usage", Model: "per_unit", Meter: "calls", Amount: dec("1"),
			Tiers: []TierInput{{UnitAmount: dec("1")}}}, []string{"tiers"}},
		{"an amount on a tiered price", PriceInput{Key: "u", Type: "usage", Model: "tiered", Meter: "calls", Amount: dec("1"),
			Tiers: []TierInput{{UnitAmount: dec("1")}}}, []string{"amount"}},
		{"a tier with no amount", PriceInput{Key: "u", Type: "usage", Model: "tiered", Meter: "calls",
			Tiers: []TierInput{{}}}, []string{"tiers[0]"}},
		{"a missing amount", PriceInput{Key: "u", Type: "usage", Model: "per_unit", Meter: "calls"}, []string{"amount"}},
		{"an unknown meter", PriceInput{Key: "u", Type: "usage", Model: "per_unit", Meter: "nope", Amount: dec("1")}, []string{"meter"}},
		{"a bad key", PriceInput{Key: "-x", Type: "fixed", Amount: dec("1")}, []string{"key"}},
		{"a valid usage price", PriceInput{Key: "u", Type: "usage", Model: "per_unit", Meter: "calls", Amount: dec("0.01")}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.in.build(ms)
			if got := fieldsOf(t, err); !slices.Equal(got, c.want) {
				t.Errorf("problems under %v, want %v (%v)", got, c.want, err)
			}
		})
	}
}

// TestPlanProblemsKeepTheirPaths: the plan's own fields, and each price's
// problems under prices[i].
func TestPlanProblemsKeepTheirPaths(t *testing.T) {
	in := CreateInput{Key: "pro", Currency: "XXQ", Interval: "fortnight", Prices: []PriceInput{
		{Key: "base", Type: "fixed", Amount: dec("10")},
		{Key: "base", Type: "fixed", Amount: dec("-1")},
	}}
	_, err := in.build(metersByKey{})
	want := []string{"currency", "interval", "prices[1].key", "prices[1].amount"}
	if got := fieldsOf(t, err); !slices.Equal(got, want) {
		t.Errorf("problems under %v, want %v (%v)", got, want, err)
	}
}
