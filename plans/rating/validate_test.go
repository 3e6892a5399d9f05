package rating

import (
	"errors"
	"reflect"
	"testing"

	"github.com/tallyhq/tally/domain"
)

// fields returns the field paths of a validation error, in order.
func fields(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	e, ok := domain.AsError(err)
	if !ok || e.Kind != domain.KindValidation {
		t.Fatalf("error %v is not a validation error", err)
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

func TestValidate(t *testing.T) {
	good := []Tier{{UpTo: dp("1000"), UnitAmount: d("0")}, {UpTo: dp("10000"), UnitAmount: d("0.01")}, {UnitAmount: d("0.005")}}
	cases := []struct {
		name   string
		price  Price
		fields []string // nil = valid
	}{
		{"a per_unit price of 0.0000025 is valid", Price{Model: ModelPerUnit, Amount: d("0.0000025")}, nil},
		{"a flat fee of zero is valid", Price{Model: ModelFlat}, nil},
		{"a package price with package_size is valid", Price{Model: ModelPackage, Amount: d("15"), PackageSize: dp("1000000"), Rounding: RoundNone}, nil},
		{"a graduated tiered price is valid", Price{Model: ModelTiered, Tiers: good}, nil},
		{"a volume tiered price with package_size is valid", Price{Model: ModelTiered, TierMode: ModeVolume, PackageSize: dp("10"), Tiers: good}, nil},
		{"a single unbounded tier is valid", Price{Model: ModelTiered, Tiers: []Tier{{UnitAmount: d("1")}}}, nil},
		{"a credits price with a conversion rate is valid", Price{Model: ModelPerUnit, Amount: d("1"), PriceUnit: "credits", ConversionRate: dp("0.01")}, nil},
		{"12 decimal places are allowed", Price{Model: ModelPerUnit, Amount: d("0.000000000001")}, nil},
		{"trailing zeros do not count as places", Price{Model: ModelPerUnit, Amount: d("1.50000000000000000")}, nil},

		{"a missing model", Price{}, []string{"model"}},
		{"an unknown model", Price{Model: "stairstep"}, []string{"model"}},
		{"a package price without package_size", Price{Model: ModelPackage, Amount: d("1")}, []string{"package_size"}},
		{"a package_size of zero", Price{Model: ModelPackage, PackageSize: dp("0")}, []string{"package_size"}},
		{"a negative package_size on a per_unit price", Price{Model: ModelPerUnit, PackageSize: dp("-5")}, []string{"package_size"}},
		{"a negative amount", Price{Model: ModelPerUnit, Amount: d("-1")}, []string{"amount"}},
		{"13 decimal places in amount", Price{Model: ModelPerUnit, Amount: d("0.0000000000001")}, []string{"amount"}},
		{"a tiered price without tiers", Price{Model: ModelTiered}, []string{"tiers"}},
		{"up_to not strictly increasing", Price{Model: ModelTiered, Tiers: []Tier{
			{UpTo: dp("1000")}, {UpTo: dp("1000")}, {UpTo: dp("500")}, {}}},
			[]string{"tiers[1].up_to", "tiers[2].up_to"}},
		{"a bounded last tier", Price{Model: ModelTiered, Tiers: []Tier{{UpTo: dp("10")}, {UpTo: dp("20")}}}, []string{"tiers[1].up_to"}},
		{"an unbounded tier that is not last", Price{Model: ModelTiered, Tiers: []Tier{{UpTo: dp("10")}, {}, {}}}, []string{"tiers[1].up_to"}},
		{"a first up_to of zero", Price{Model: ModelTiered, Tiers: []Tier{{UpTo: dp("0")}, {}}}, []string{"tiers[0].up_to"}},
		{"negative and over-precise tier amounts", Price{Model: ModelTiered, Tiers: []Tier{
			{UpTo: dp("10"), UnitAmount: d("-0.01")}, {FlatAmount: d("-1"), UnitAmount: d("0.0000000000001")}}},
			[]string{"tiers[0].unit_amount", "tiers[1].unit_amount", "tiers[1].flat_amount"}},
		{"an unknown tier_mode", Price{Model: ModelTiered, TierMode: "stairs", Tiers: good}, []string{"tier_mode"}},
		{"an unknown rounding", Price{Model: ModelPackage, PackageSize: dp("10"), Rounding: "nearest"}, []string{"rounding"}},
		{"negative free_units", Price{Model: ModelPerUnit, FreeUnits: d("-1")}, []string{"free_units"}},
		{"a negative minimum_amount", Price{Model: ModelPerUnit, MinimumAmount: dp("-10")}, []string{"minimum_amount"}},
		{"price_unit without conversion_rate", Price{Model: ModelPerUnit, PriceUnit: "credits"}, []string{"conversion_rate"}},
		{"a conversion_rate of zero", Price{Model: ModelPerUnit, PriceUnit: "credits", ConversionRate: dp("0")}, []string{"conversion_rate"}},
		{"a conversion_rate without price_unit", Price{Model: ModelPerUnit, ConversionRate: dp("0.01")}, []string{"conversion_rate"}},
		{"tiers on a per_unit price", Price{Model: ModelPerUnit, Tiers: good}, []string{"tiers"}},
		{"an amount on a tiered price", Price{Model: ModelTiered, Amount: d("1"), Tiers: good}, []string{"amount"}},
		{"package_size and free_units on a flat price", Price{Model: ModelFlat, PackageSize: dp("10"), FreeUnits: d("5")}, []string{"package_size", "free_units"}},

		{"every problem is reported at once, not only the first", Price{
			Model: ModelTiered, TierMode: "stairs", Rounding: "sideways", FreeUnits: d("-1"),
			MinimumAmount: dp("-1"), PriceUnit: "credits", PackageSize: dp("0"),
			Tiers: []Tier{{UpTo: dp("100"), UnitAmount: d("-1")}, {UpTo: dp("50")}},
		}, []string{"package_size", "rounding", "tier_mode", "tiers[0].unit_amount", "tiers[1].up_to", "tiers[1].up_to",
			"free_units", "minimum_amount", "conversion_rate"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := fields(t, tc.price.Validate())
			if !reflect.DeepEqual(got, tc.fields) {
				t.Errorf("Validate fields = %q, want %q (%v)", got, tc.fields, tc.price.Validate())
			}
		})
	}
}

func TestRateRejects(t *testing.T) {
	valid := Price{Model: ModelPerUnit, Amount: d("1")}
	t.Run("an invalid price is a validation error, not a line", func(t *testing.T) {
		_, err := Rate(Price{Model: ModelPackage, Amount: d("1")}, d("10"), "USD", Proration{})
		if domain.KindOf(err) != domain.KindValidation {
			t.Fatalf("err = %v, want a validation error", err)
		}
	})
	for _, tc := range []struct {
		name string
		cur  domain.Currency
		pr   Proration
	}{
		{"an unknown currency", "XYZ", Proration{}},
		{"a lower-case currency code", "usd", Proration{}},
		{"an empty currency", "", Proration{}},
		{"a proration over zero days", "USD", Proration{Days: 3}},
		{"a proration of more days than the period", "USD", Proration{Days: 32, OfDays: 31}},
		{"a negative proration", "USD", Proration{Days: -1, OfDays: 31}},
	} {
		t.Run(tc.name+" is the caller's bug: an untyped error", func(t *testing.T) {
			_, err := Rate(valid, d("1"), tc.cur, tc.pr)
			if err == nil {
				t.Fatal("Rate accepted it")
			}
			var e *domain.Error
			if errors.As(err, &e) {
				t.Errorf("err = %v is typed %s, want untyped", err, e.Kind)
			}
		})
	}
}
