package rating

import "testing"

// TestRoundingNoneIsExact prices proportional packages (rounding "none") on
// every usage model: the amount is exact until the line's single rounding,
// half away from zero, however the package count would print.
func TestRoundingNoneIsExact(t *testing.T) {
	minute := dp("60") // a package of 60 seconds
	perMinute := func(m Model, mode TierMode, tiers ...Tier) Price {
		p := Price{Model: m, TierMode: mode, PackageSize: minute, Rounding: RoundNone, Unit: "seconds", Tiers: tiers}
		if m != ModelTiered {
			p.Amount = d("0.006")
		}
		return p
	}
	flatTier := func(p Price, flat string) Price {
		p.Tiers = append([]Tier(nil), p.Tiers...)
		p.Tiers[0].FlatAmount = d(flat)
		return p
	}
	oneTier := Tier{UnitAmount: d("0.006")}
	graduated := perMinute(ModelTiered, ModeGraduated, oneTier)
	volume := perMinute(ModelTiered, ModeVolume, oneTier)
	twoTiers := perMinute(ModelTiered, ModeGraduated, Tier{UpTo: dp("100"), UnitAmount: d("0.006")}, Tier{UnitAmount: d("0.006"), FlatAmount: d("0.10")})
	freeTen := graduated
	freeTen.FreeUnits = d("10")
	// One package at 0.006, then 0.003: a quantity a hair above one package
	// falls in the second tier, though its package count cut to 30 places
	// is exactly 1.
	volumeBound := perMinute(ModelTiered, ModeVolume, Tier{UpTo: dp("1"), UnitAmount: d("0.006")}, Tier{UnitAmount: d("0.003")})
	yen := perMinute(ModelTiered, ModeGraduated, Tier{UnitAmount: d("1.5")})

	runRateCases(t, []rateCase{
		{name: "per_unit: 50 s at 0.006 a minute is exactly 0.005 and rounds half away from zero to 0.01",
			price: perMinute(ModelPerUnit, ""), quantity: "50", amount: "0.01", exact: "0.005"},
		{name: "package: 50 s at 0.006 a minute is exactly 0.005 → 0.01",
			price: perMinute(ModelPackage, ""), quantity: "50", amount: "0.01", exact: "0.005"},
		{name: "graduated: 50 s at 0.006 a minute is exactly 0.005 → 0.01, not 0.00499… → 0.00",
			price: graduated, quantity: "50", amount: "0.01", exact: "0.005", billable: "0.833333333333333333333333333333"},
		{name: "volume: 50 s at 0.006 a minute is exactly 0.005 → 0.01",
			price: volume, quantity: "50", amount: "0.01", exact: "0.005"},
		{name: "graduated: 6,050 s at 0.006 a minute is exactly 0.605 → 0.61, not 0.60",
			price: graduated, quantity: "6050", amount: "0.61", exact: "0.605"},
		{name: "volume: 6,050 s at 0.006 a minute is exactly 0.605 → 0.61",
			price: volume, quantity: "6050", amount: "0.61", exact: "0.605"},
		{name: "graduated: 6,080 s at 0.006 a minute is exactly 0.608 → 0.61",
			price: graduated, quantity: "6080", amount: "0.61", exact: "0.608"},
		{name: "per_unit: 6,050 s at 0.006 a minute is exactly 0.605 → 0.61",
			price: perMinute(ModelPerUnit, ""), quantity: "6050", amount: "0.61", exact: "0.605"},
		{name: "graduated over two tiers with a flat amount: 100 × 0.006 + 50/60 × 0.006 + 0.10 = 0.705 → 0.71",
			price: twoTiers, quantity: "6050", amount: "0.71", exact: "0.705"},
		{name: "volume with a flat amount: 50 s = 0.005 + 0.10 = 0.105 → 0.11",
			price: flatTier(volume, "0.10"), quantity: "50", amount: "0.11", exact: "0.105"},
		{name: "graduated with free units: 60 s − 10 free = 50 s = 0.005 → 0.01",
			price: freeTen, quantity: "60", amount: "0.01", exact: "0.005"},
		{name: "volume compares the exact package count with up_to: 60 s + 10⁻³⁰ is above one package, priced at 0.003 → 0.00",
			price: volumeBound, quantity: "60.000000000000000000000000000001", amount: "0.00"},
		{name: "volume: exactly one package stays in the first tier → 0.006 → 0.01",
			price: volumeBound, quantity: "60", amount: "0.01", exact: "0.006"},
		{name: "JPY: 20 s at ¥1.5 a minute is exactly ¥0.5 → ¥1",
			price: yen, quantity: "20", currency: "JPY", amount: "1", exact: "0.5"},
		{name: "graduated: 1 unit in packages of 3 at $3 a package is exactly 1.00",
			price:    Price{Model: ModelTiered, PackageSize: dp("3"), Rounding: RoundNone, Tiers: []Tier{{UnitAmount: d("3")}}},
			quantity: "1", amount: "1.00", exact: "1", billable: "0.333333333333333333333333333333"},
	})
}

// TestRoundingNoneTierLinesAreExact checks the breakdown: each tier's amount
// is its exact share, and the shares add up to the line's exact amount.
func TestRoundingNoneTierLinesAreExact(t *testing.T) {
	p := Price{Model: ModelTiered, PackageSize: dp("60"), Rounding: RoundNone, Tiers: []Tier{
		{UpTo: dp("100"), UnitAmount: d("0.006")},
		{UnitAmount: d("0.006"), FlatAmount: d("0.10")},
	}}
	line, err := Rate(p, d("6050"), "USD", Proration{})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ qty, amount string }{
		{"100", "0.6"},
		{"0.833333333333333333333333333333", "0.105"}, // 50/60 × 0.006 + 0.10
	}
	if len(line.Tiers) != len(want) {
		t.Fatalf("got %d tier lines, want %d: %+v", len(line.Tiers), len(want), line.Tiers)
	}
	for i, w := range want {
		if tl := line.Tiers[i]; !tl.Quantity.Equal(d(w.qty)) || !tl.Amount.Equal(d(w.amount)) {
			t.Errorf("tier line %d: quantity %s amount %s, want %s and %s", i, tl.Quantity, tl.Amount, w.qty, w.amount)
		}
	}
	if !line.Exact.Equal(d("0.705")) || !line.Amount.Equal(d("0.71")) {
		t.Errorf("line exact %s amount %s, want 0.705 and 0.71", line.Exact, line.Amount)
	}
}
