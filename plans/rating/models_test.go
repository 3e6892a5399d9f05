package rating

import (
	"testing"

	"github.com/shopspring/decimal"
)

func TestFlat(t *testing.T) {
	fee := Price{Model: ModelFlat, Amount: d("19.00")}
	runRateCases(t, []rateCase{
		{name: "a flat fee of 19.00 for a whole period is 19.00",
			price: fee, quantity: "0", amount: "19.00", billable: "1", describe: "Flat fee $19.00"},
		{name: "a flat fee ignores the quantity: 5,000 units still pay 19.00",
			price: fee, quantity: "5000", amount: "19.00"},
		{name: "a flat fee prorated 20/31 days is 19.00 × 20 ÷ 31 = 12.258064… → 12.26",
			price: fee, quantity: "0", prorate: Proration{Days: 20, OfDays: 31},
			amount: "12.26", exact: "12.258064516129032258064516129032", describe: "Flat fee $19.00 × 20/31 days"},
		{name: "a flat fee prorated 31/31 days is the whole 19.00 and shows no proration",
			price: fee, quantity: "0", prorate: Proration{Days: 31, OfDays: 31}, amount: "19.00", describe: "Flat fee $19.00"},
		{name: "a flat fee prorated 0/30 days is 0.00",
			price: fee, quantity: "0", prorate: Proration{Days: 0, OfDays: 30}, amount: "0.00"},
		{name: "a flat fee of 26/29 days of 10.00 (started Feb 4 in a leap year) is 260 ÷ 29 = 8.9655… → 8.97",
			price: Price{Model: ModelFlat, Amount: d("10")}, quantity: "0", prorate: Proration{Days: 26, OfDays: 29}, amount: "8.97"},
		{name: "a flat fee in EUR is described by code: EUR 15.00",
			price: Price{Model: ModelFlat, Amount: d("15")}, quantity: "0", currency: "EUR", amount: "15.00", describe: "Flat fee EUR 15.00"},
	})
}

func TestPerUnit(t *testing.T) {
	exec := Price{Model: ModelPerUnit, Amount: d("0.001"), Unit: "executions"}
	runRateCases(t, []rateCase{
		{name: "50,000 executions × $0.001 = 50.00",
			price: exec, quantity: "50000", amount: "50.00", exact: "50", billable: "50000",
			describe: "50,000 executions × $0.001"},
		{name: "zero executions cost 0.00",
			price: exec, quantity: "0", amount: "0.00", billable: "0"},
		{name: "one execution × $0.001 = 0.001 rounds down to 0.00",
			price: exec, quantity: "1", amount: "0.00", exact: "0.001"},
		{name: "5 executions × $0.001 = 0.005 rounds half away from zero to 0.01",
			price: exec, quantity: "5", amount: "0.01", exact: "0.005"},
		{name: "a fractional quantity 2.5 GB × $0.10 = 0.25",
			price: Price{Model: ModelPerUnit, Amount: d("0.10"), Unit: "GB"}, quantity: "2.5", amount: "0.25"},
		{name: "60,000 executions less 10,000 free units bill 50,000 × $0.001 = 50.00",
			price:    Price{Model: ModelPerUnit, Amount: d("0.001"), Unit: "executions", FreeUnits: d("10000")},
			quantity: "60000", amount: "50.00", billable: "50000",
			describe: "60,000 executions - 10,000 free = 50,000 × $0.001"},
		{name: "5,000 executions within 10,000 free units bill 0, never a negative amount",
			price:    Price{Model: ModelPerUnit, Amount: d("0.001"), FreeUnits: d("10000")},
			quantity: "5000", amount: "0.00", billable: "0"},
		{name: "a negative quantity -500 (a sum of refunds) is counted as 0 → 0.00",
			price: exec, quantity: "-500", amount: "0.00", billable: "0",
			describe: "-500 executions counted as 0 × $0.001"},
		{name: "10^15 tokens × $0.000000000001 (12 places) = 1,000.00 exactly",
			price:    Price{Model: ModelPerUnit, Amount: d("0.000000000001"), Unit: "tokens"},
			quantity: "1000000000000000", amount: "1000.00", exact: "1000",
			describe: "1,000,000,000,000,000 tokens × $0.000000000001"},
		{name: "a sum of 10^15 tokens × $0.0000025 = 2,500,000,000.00",
			price:    Price{Model: ModelPerUnit, Amount: d("0.0000025"), Unit: "tokens"},
			quantity: "1000000000000000", amount: "2500000000.00", exact: "2500000000"},
		{name: "3 tokens × $0.0000025 = 0.0000075 rounds to 0.00 and keeps the price's precision in the description",
			price:    Price{Model: ModelPerUnit, Amount: d("0.0000025"), Unit: "tokens"},
			quantity: "3", amount: "0.00", exact: "0.0000075", describe: "3 tokens × $0.0000025"},
		{name: "2,000 tokens × $0.0000025 = 0.005 rounds half away from zero to 0.01",
			price: Price{Model: ModelPerUnit, Amount: d("0.0000025")}, quantity: "2000", amount: "0.01"},
		{name: "1,999 tokens × $0.0000025 = 0.0049975 rounds to 0.00",
			price: Price{Model: ModelPerUnit, Amount: d("0.0000025")}, quantity: "1999", amount: "0.00"},
		{name: "JPY has no minor unit: 3 × ¥0.5 = 1.5 rounds to 2",
			price: Price{Model: ModelPerUnit, Amount: d("0.5")}, quantity: "3", currency: "JPY", amount: "2",
			describe: "3 units × JPY 0.5"},
		{name: "JPY: 1 × ¥0.49 = 0.49 rounds to 0",
			price: Price{Model: ModelPerUnit, Amount: d("0.49")}, quantity: "1", currency: "JPY", amount: "0"},
		{name: "BHD has 3 places: 1 × 1.2345 rounds half away from zero to 1.235",
			price: Price{Model: ModelPerUnit, Amount: d("1.2345")}, quantity: "1", currency: "BHD", amount: "1.235"},
		{name: "BHD: 1 × 1.2344 rounds to 1.234",
			price: Price{Model: ModelPerUnit, Amount: d("1.2344")}, quantity: "1", currency: "BHD", amount: "1.234"},
		{name: "per_unit with package_size 1,000 prices packages: 2,500 calls → 3 packages × $2.00 = 6.00",
			price:    Price{Model: ModelPerUnit, Amount: d("2"), PackageSize: dp("1000"), Unit: "calls"},
			quantity: "2500", amount: "6.00", billable: "3",
			describe: "2,500 calls = 3 packages of 1,000 × $2.00"},
	})
}

func TestPackage(t *testing.T) {
	tokens := func(r Rounding) Price {
		return Price{Model: ModelPackage, Amount: d("15"), PackageSize: dp("1000000"), Rounding: r, Unit: "tokens"}
	}
	runRateCases(t, []rateCase{
		{name: "5,500,000 tokens at $15 per 1M rounded up are 6 packages → 90.00",
			price: tokens(RoundUp), quantity: "5500000", amount: "90.00", billable: "6",
			describe: "5,500,000 tokens = 6 packages of 1,000,000 × $15.00"},
		{name: "rounding defaults to up: 5,500,000 tokens are 6 packages → 90.00",
			price: tokens(""), quantity: "5500000", amount: "90.00", billable: "6"},
		{name: "5,500,000 tokens rounded down are 5 packages → 75.00",
			price: tokens(RoundDown), quantity: "5500000", amount: "75.00", billable: "5"},
		{name: "5,500,000 tokens with rounding none are 5.5 packages → 82.50",
			price: tokens(RoundNone), quantity: "5500000", amount: "82.50", exact: "82.5", billable: "5.5",
			describe: "5,500,000 tokens = 5.5 packages of 1,000,000 × $15.00"},
		{name: "exactly 5,000,000 tokens are 5 packages → 75.00",
			price: tokens(RoundUp), quantity: "5000000", amount: "75.00", billable: "5",
			describe: "5,000,000 tokens = 5 packages of 1,000,000 × $15.00"},
		{name: "one token past 1,000,000 starts a second package rounding up → 30.00",
			price: tokens(RoundUp), quantity: "1000001", amount: "30.00", billable: "2"},
		{name: "one token is a whole package rounding up → 15.00",
			price: tokens(RoundUp), quantity: "1", amount: "15.00", billable: "1",
			describe: "1 tokens = 1 package of 1,000,000 × $15.00"},
		{name: "one token is no package rounding down → 0.00",
			price: tokens(RoundDown), quantity: "1", amount: "0.00", billable: "0"},
		{name: "zero tokens are zero packages even rounding up → 0.00",
			price: tokens(RoundUp), quantity: "0", amount: "0.00", billable: "0"},
		{name: "5,600,000 tokens less 100,000 free are 5,500,000 → 6 packages → 90.00",
			price:    Price{Model: ModelPackage, Amount: d("15"), PackageSize: dp("1000000"), FreeUnits: d("100000"), Unit: "tokens"},
			quantity: "5600000", amount: "90.00", billable: "6",
			describe: "5,600,000 tokens - 100,000 free = 5,500,000 = 6 packages of 1,000,000 × $15.00"},
		{name: "rounding none multiplies before dividing: 1 unit × $1.00 ÷ 3 = 0.333… → 0.33",
			price:    Price{Model: ModelPackage, Amount: d("1"), PackageSize: dp("3"), Rounding: RoundNone},
			quantity: "1", amount: "0.33", exact: "0.333333333333333333333333333333",
			describe: "1 units = ≈0.333333 packages of 3 × $1.00"},
		{name: "rounding none: 2 units × $1.00 ÷ 3 = 0.666… → 0.67",
			price:    Price{Model: ModelPackage, Amount: d("1"), PackageSize: dp("3"), Rounding: RoundNone},
			quantity: "2", amount: "0.67"},
		{name: "rounding none is exact where dividing first is not: 1 × $3.00 ÷ 3 = 1.00",
			price:    Price{Model: ModelPackage, Amount: d("3"), PackageSize: dp("3"), Rounding: RoundNone},
			quantity: "1", amount: "1.00", exact: "1"},
		{name: "a fractional package size 0.5 GB: 1.2 GB rounded up are 3 packages × $1.00 = 3.00",
			price:    Price{Model: ModelPackage, Amount: d("1"), PackageSize: dp("0.5")},
			quantity: "1.2", amount: "3.00", billable: "3"},
	})
}

func TestGraduated(t *testing.T) {
	calls := Price{Model: ModelTiered, Unit: "calls", Tiers: []Tier{
		{UpTo: dp("1000"), UnitAmount: d("0")},
		{UpTo: dp("10000"), UnitAmount: d("0.01")},
		{UnitAmount: d("0.005")},
	}}
	withFlat := Price{Model: ModelTiered, TierMode: ModeGraduated, Tiers: []Tier{
		{UpTo: dp("100"), UnitAmount: d("0"), FlatAmount: d("5")},
		{UpTo: dp("1000"), UnitAmount: d("0.1"), FlatAmount: d("10")},
		{UnitAmount: d("0.05")},
	}}
	runRateCases(t, []rateCase{
		{name: "graduated tiers price 25,000 calls at 0 + 90.00 + 75.00 = 165.00",
			price: calls, quantity: "25000", amount: "165.00", exact: "165", describe: "25,000 calls in 3 tiers"},
		{name: "graduated: exactly 1,000 calls stay in the free first tier → 0.00",
			price: calls, quantity: "1000", amount: "0.00", describe: "1,000 calls in 1 tier"},
		{name: "graduated: 1,001 calls put one call in the second tier → 0.01",
			price: calls, quantity: "1001", amount: "0.01", describe: "1,001 calls in 2 tiers"},
		{name: "graduated: zero calls → 0.00",
			price: calls, quantity: "0", amount: "0.00"},
		{name: "graduated: exactly 10,000 calls = 0 + 9,000 × 0.01 = 90.00",
			price: calls, quantity: "10000", amount: "90.00"},
		{name: "graduated: 10,001 calls = 90.00 + 0.005 = 90.005 → 90.01 (half away from zero)",
			price: calls, quantity: "10001", amount: "90.01", exact: "90.005"},
		{name: "graduated flat amounts: the first tier is reached at zero → 5.00",
			price: withFlat, quantity: "0", amount: "5.00"},
		{name: "graduated flat amounts: 100 units stay in the first tier → 5.00",
			price: withFlat, quantity: "100", amount: "5.00"},
		{name: "graduated flat amounts: 101 units reach the second tier → 5 + 1 × 0.1 + 10 = 15.10",
			price: withFlat, quantity: "101", amount: "15.10"},
		{name: "graduated flat amounts: 2,000 units = 5 + (900 × 0.1 + 10) + 1,000 × 0.05 = 155.00",
			price: withFlat, quantity: "2000", amount: "155.00"},
		{name: "graduated tiers count packages: 12,500 units are 13 packages of 1,000 → 10 × 1 + 3 × 0.5 = 11.50",
			price:    Price{Model: ModelTiered, PackageSize: dp("1000"), Tiers: []Tier{{UpTo: dp("10"), UnitAmount: d("1")}, {UnitAmount: d("0.5")}}},
			quantity: "12500", amount: "11.50", billable: "13",
			describe: "12,500 units = 13 packages of 1,000 in 2 tiers"},
		{name: "graduated tiers with rounding none: 12,500 units are 12.5 packages → 10 + 2.5 × 0.5 = 11.25",
			price:    Price{Model: ModelTiered, PackageSize: dp("1000"), Rounding: RoundNone, Tiers: []Tier{{UpTo: dp("10"), UnitAmount: d("1")}, {UnitAmount: d("0.5")}}},
			quantity: "12500", amount: "11.25", billable: "12.5"},
		{name: "graduated tiers with rounding none price 1 ÷ 3 packages exactly: × $3 = 1 → 1.00",
			price:    Price{Model: ModelTiered, PackageSize: dp("3"), Rounding: RoundNone, Tiers: []Tier{{UnitAmount: d("3")}}},
			quantity: "1", amount: "1.00", billable: "0.333333333333333333333333333333",
			exact: "1"},
	})
}

func TestGraduatedTierLines(t *testing.T) {
	calls := Price{Model: ModelTiered, Tiers: []Tier{
		{UpTo: dp("1000"), UnitAmount: d("0")},
		{UpTo: dp("10000"), UnitAmount: d("0.01"), FlatAmount: d("2")},
		{UnitAmount: d("0.005")},
	}}
	line, err := Rate(calls, d("25000"), "USD", Proration{})
	if err != nil {
		t.Fatal(err)
	}
	// 25,000 calls: 1,000 × 0 | 9,000 × 0.01 + 2 = 92 | 15,000 × 0.005 = 75.
	want := []struct {
		from, upTo, qty, amount string // "" = nil
	}{
		{"", "1000", "1000", "0"},
		{"1000", "10000", "9000", "92"},
		{"10000", "", "15000", "75"},
	}
	if len(line.Tiers) != len(want) {
		t.Fatalf("got %d tier lines, want %d: %+v", len(line.Tiers), len(want), line.Tiers)
	}
	for i, w := range want {
		tl := line.Tiers[i]
		if tl.Tier != i {
			t.Errorf("tier line %d: Tier = %d", i, tl.Tier)
		}
		checkBound(t, i, "From", tl.From, w.from)
		checkBound(t, i, "UpTo", tl.UpTo, w.upTo)
		if !tl.Quantity.Equal(d(w.qty)) || !tl.Amount.Equal(d(w.amount)) {
			t.Errorf("tier line %d: %s × %s + %s = %s, want quantity %s and amount %s",
				i, tl.Quantity, tl.UnitAmount, tl.FlatAmount, tl.Amount, w.qty, w.amount)
		}
	}
	if !line.Amount.Equal(d("167.00")) {
		t.Errorf("Amount = %s, want 0 + 92 + 75 = 167.00", line.Amount)
	}
	// The line's bounds are copies: changing them must not change the price.
	*line.Tiers[0].UpTo = d("1")
	if !calls.Tiers[0].UpTo.Equal(d("1000")) {
		t.Errorf("a tier line aliases the price's up_to")
	}
}

func checkBound(t *testing.T, i int, name string, got *decimal.Decimal, want string) {
	t.Helper()
	switch {
	case want == "" && got != nil:
		t.Errorf("tier line %d: %s = %s, want nil", i, name, got)
	case want != "" && (got == nil || !got.Equal(d(want))):
		t.Errorf("tier line %d: %s = %v, want %s", i, name, got, want)
	}
}

func TestVolume(t *testing.T) {
	vol := Price{Model: ModelTiered, TierMode: ModeVolume, Unit: "calls", Tiers: []Tier{
		{UpTo: dp("10000"), UnitAmount: d("0.02")},
		{UpTo: dp("50000"), UnitAmount: d("0.015"), FlatAmount: d("10")},
		{UnitAmount: d("0.01"), FlatAmount: d("25")},
	}}
	runRateCases(t, []rateCase{
		{name: "volume prices all 25,000 calls in the second tier: 25,000 × 0.015 + 10 = 385.00",
			price: vol, quantity: "25000", amount: "385.00", describe: "25,000 calls in tier 2 of 3 (volume)"},
		{name: "volume: exactly 10,000 calls fall in the first tier: 10,000 × 0.02 = 200.00",
			price: vol, quantity: "10000", amount: "200.00", describe: "10,000 calls in tier 1 of 3 (volume)"},
		{name: "volume: 10,001 calls fall in the second tier: 150.015 + 10 = 160.015 → 160.02 (less than at 10,000)",
			price: vol, quantity: "10001", amount: "160.02"},
		{name: "volume: zero falls in the first tier → 0.00",
			price: vol, quantity: "0", amount: "0.00", describe: "0 calls in tier 1 of 3 (volume)"},
		{name: "volume: exactly 50,000 calls = 50,000 × 0.015 + 10 = 760.00",
			price: vol, quantity: "50000", amount: "760.00"},
		{name: "volume: 60,000 calls fall in the last tier: 60,000 × 0.01 + 25 = 625.00",
			price: vol, quantity: "60000", amount: "625.00"},
		{name: "volume with one tier flat 25 charges it at zero: 0 × 0.01 + 25 = 25.00",
			price:    Price{Model: ModelTiered, TierMode: ModeVolume, Tiers: []Tier{{UnitAmount: d("0.01"), FlatAmount: d("25")}}},
			quantity: "0", amount: "25.00"},
	})

	line, err := Rate(vol, d("25000"), "USD", Proration{})
	if err != nil {
		t.Fatal(err)
	}
	if len(line.Tiers) != 1 || line.Tiers[0].Tier != 1 || !line.Tiers[0].Quantity.Equal(d("25000")) ||
		!line.Tiers[0].Amount.Equal(d("385")) || !line.Tiers[0].From.Equal(d("10000")) || !line.Tiers[0].UpTo.Equal(d("50000")) {
		t.Errorf("volume tier lines = %+v, want one line for tier 1 (10000, 50000] of 25000 calls = 385", line.Tiers)
	}
}

func TestMinimumAmount(t *testing.T) {
	calls := Price{Model: ModelPerUnit, Amount: d("0.01"), MinimumAmount: dp("10"), Unit: "calls"}
	month := Proration{Days: 20, OfDays: 31}
	runRateCases(t, []rateCase{
		{name: "50 calls × $0.01 = 0.50 are raised to the minimum 10.00",
			price: calls, quantity: "50", amount: "10.00", minimum: true,
			describe: "50 calls × $0.01, raised to the minimum $10.00"},
		{name: "2,000 calls × $0.01 = 20.00 are above the minimum and stay 20.00",
			price: calls, quantity: "2000", amount: "20.00"},
		{name: "1,000 calls × $0.01 = 10.00 equal the minimum: not raised",
			price: calls, quantity: "1000", amount: "10.00"},
		{name: "the minimum is prorated like a flat fee: 10.00 × 20/31 = 6.4516… → 6.45",
			price: calls, quantity: "50", prorate: month, amount: "6.45", minimum: true,
			exact:    "6.451612903225806451612903225806",
			describe: "50 calls × $0.01, raised to the minimum $10.00 × 20/31 days"},
		{name: "usage 7.00 above the prorated minimum 6.45 stays 7.00; the usage itself is not prorated",
			price: calls, quantity: "700", prorate: month, amount: "7.00"},
		{name: "usage 6.45 is below the prorated minimum 6.4516… and is raised to it → 6.45",
			price: calls, quantity: "645", prorate: month, amount: "6.45", minimum: true},
		{name: "a tiered price with no usage is raised to its minimum 5.00",
			price:    Price{Model: ModelTiered, MinimumAmount: dp("5"), Tiers: []Tier{{UnitAmount: d("1")}}},
			quantity: "0", amount: "5.00", minimum: true},
		{name: "a zero minimum never applies",
			price: Price{Model: ModelPerUnit, Amount: d("1"), MinimumAmount: dp("0")}, quantity: "0", amount: "0.00"},
	})
}

func TestCustomPriceUnit(t *testing.T) {
	credits := func(amount string, rate string) Price {
		return Price{Model: ModelPerUnit, Amount: d(amount), PriceUnit: "credits", ConversionRate: dp(rate), Unit: "executions"}
	}
	runRateCases(t, []rateCase{
		{name: "1,234.5678915 credits round to 1,234.567892 credits, × $0.01 = 12.34567892 → 12.35",
			price: credits("1", "0.01"), quantity: "1234.5678915", amount: "12.35",
			exact: "1234.5678915", unit: "1234.567892",
			describe: "1,234.5678915 executions × 1 credits = 1,234.567892 credits × $0.01"},
		{name: "credits round to 6 places first: 0.4999995 credits → 0.500000 × $0.01 = 0.005 → 0.01 (not 0.00)",
			price: credits("0.0000001", "0.01"), quantity: "4999995", amount: "0.01",
			exact: "0.4999995", unit: "0.5"},
		{name: "50,000 executions × 0.02 credits = 1,000 credits × $0.01 = 10.00",
			price: credits("0.02", "0.01"), quantity: "50000", amount: "10.00", unit: "1000",
			describe: "50,000 executions × 0.02 credits = 1,000 credits × $0.01"},
		{name: "1,000 credits at ¥1.5 each are ¥1,500 (JPY, no minor unit)",
			price: credits("1", "1.5"), quantity: "1000", currency: "JPY", amount: "1500"},
		{name: "a flat fee of 100 credits × 20/31 days = 64.516129… → 64.516129 credits × $0.01 = 0.65",
			price:    Price{Model: ModelFlat, Amount: d("100"), PriceUnit: "credits", ConversionRate: dp("0.01")},
			quantity: "0", prorate: Proration{Days: 20, OfDays: 31}, amount: "0.65", unit: "64.516129",
			describe: "Flat fee 100 credits × 20/31 days = 64.516129 credits × $0.01"},
		{name: "a minimum in credits: 5 credits of usage are raised to 1,000 credits × $0.01 = 10.00",
			price:    Price{Model: ModelPerUnit, Amount: d("1"), PriceUnit: "credits", ConversionRate: dp("0.01"), MinimumAmount: dp("1000")},
			quantity: "5", amount: "10.00", unit: "1000", minimum: true},
	})
}
