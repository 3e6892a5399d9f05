package rating

import (
	"testing"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
)

// fuzzPrice builds a price from fuzz integers. Every decimal is an integer
// with a scale (decimal.New), never a float. Out-of-range choices (an unknown
// model, a negative amount, 13+ decimal places, a bounded last tier...) are
// kept on purpose: Rate must return an error for them, not panic.
type fuzzPrice struct {
	model, modeAndTiers, rounding, scale uint8
	amount, size, free, minimum          int64
	step, unitA, unitB, flat             int64
	custom                               bool
}

func (f fuzzPrice) build() Price {
	models := []Model{ModelFlat, ModelPerUnit, ModelPackage, ModelTiered, "bogus"}
	roundings := []Rounding{"", RoundUp, RoundDown, RoundNone, "bogus"}
	modes := []TierMode{"", ModeGraduated, ModeVolume, "bogus"}
	amountScale := -int32(f.scale % 16) // up to 15 places: 13+ are invalid
	p := Price{
		Model:    models[int(f.model)%len(models)],
		Rounding: roundings[int(f.rounding)%len(roundings)],
		TierMode: modes[int(f.modeAndTiers/8)%len(modes)],
	}
	if p.Model != ModelTiered {
		p.Amount = decimal.New(f.amount, amountScale)
	}
	if f.size != 0 {
		s := decimal.New(f.size, -int32(f.scale%4))
		p.PackageSize = &s
	}
	if p.Model != ModelFlat {
		p.FreeUnits = decimal.New(f.free, -int32(f.scale%3))
	}
	if f.minimum != 0 {
		m := decimal.New(f.minimum, -2)
		p.MinimumAmount = &m
	}
	if p.Model == ModelTiered {
		n := int(f.modeAndTiers % 5) // 0 tiers is invalid
		for i := range n {
			t := Tier{
				UnitAmount: decimal.New(f.unitA+int64(i)*f.unitB, amountScale),
				FlatAmount: decimal.New(f.flat*int64(i), -2),
			}
			if i < n-1 {
				u := decimal.New(int64(i+1)*f.step, -int32(f.scale%3))
				t.UpTo = &u
			}
			p.Tiers = append(p.Tiers, t)
		}
	}
	if f.custom {
		rate := decimal.New(f.unitB%100000, -4) // zero or negative is invalid
		p.PriceUnit, p.ConversionRate = "credits", &rate
	}
	return p
}

func FuzzRatingInvariants(f *testing.F) {
	type seed struct {
		fp                 fuzzPrice
		qa, qb             int64
		qScale, cur, d, of uint8
	}
	seeds := []seed{
		// 50,000 executions × $0.001.
		{fp: fuzzPrice{model: 1, amount: 1, scale: 3}, qa: 50000, qb: 50001},
		// 5,500,000 tokens at $15 per 1M, rounding up / down / none, 100,000 free.
		{fp: fuzzPrice{model: 2, amount: 15, size: 1000000, rounding: 1, free: 100000}, qa: 5500000, qb: 5000000},
		{fp: fuzzPrice{model: 2, amount: 15, size: 1000000, rounding: 2}, qa: 5500000, qb: 999999},
		{fp: fuzzPrice{model: 2, amount: 1, size: 3, rounding: 3}, qa: 1, qb: 2},
		// Graduated and volume tiers, with package counts and a minimum.
		{fp: fuzzPrice{model: 3, modeAndTiers: 3, step: 1000, unitA: 0, unitB: 5, scale: 3, flat: 100}, qa: 25000, qb: 1001},
		{fp: fuzzPrice{model: 3, modeAndTiers: 8*2 + 3, step: 10000, unitA: 20, unitB: -5, scale: 3, flat: 1000}, qa: 10000, qb: 10001},
		{fp: fuzzPrice{model: 3, modeAndTiers: 4, step: 7, unitA: 3, unitB: 1, size: 3, rounding: 3, minimum: 500}, qa: 100, qb: 1},
		// One tier with proportional packages: 1 ÷ 3 packages × 3 is exactly 1.
		{fp: fuzzPrice{model: 3, modeAndTiers: 1, unitA: 3, size: 3, rounding: 3}, qa: 1, qb: 2},
		{fp: fuzzPrice{model: 3, modeAndTiers: 8*2 + 1, unitA: 6, scale: 3, size: 60, rounding: 3}, qa: 50, qb: 6050},
		// Flat fee 19.00 × 20/31 days; a minimum prorated.
		{fp: fuzzPrice{model: 0, amount: 1900, scale: 2}, qa: 0, qb: 1, d: 20, of: 31},
		{fp: fuzzPrice{model: 1, amount: 1, scale: 2, minimum: 1000}, qa: 50, qb: 700, d: 20, of: 31},
		// Custom units, JPY and BHD, tiny prices, huge quantities.
		{fp: fuzzPrice{model: 1, amount: 1, custom: true, unitB: 100}, qa: 12345678915, qb: 4999995, qScale: 7},
		{fp: fuzzPrice{model: 1, amount: 25, scale: 7}, qa: 1000000000000000, qb: 2000, cur: 1},
		{fp: fuzzPrice{model: 1, amount: 1, scale: 12}, qa: 1000000000000000, qb: 1, cur: 2},
		// Invalid prices: unknown model, 13 places, negative amount, no tiers,
		// bounded last tier, zero package size, zero conversion rate.
		{fp: fuzzPrice{model: 4, amount: 1}, qa: 1, qb: 2},
		{fp: fuzzPrice{model: 1, amount: 1, scale: 13}, qa: 1, qb: 2},
		{fp: fuzzPrice{model: 1, amount: -1}, qa: 1, qb: 2},
		{fp: fuzzPrice{model: 3, modeAndTiers: 0}, qa: 1, qb: 2},
		{fp: fuzzPrice{model: 3, modeAndTiers: 3, step: -5}, qa: 1, qb: 2},
		{fp: fuzzPrice{model: 2, amount: 1, size: -1}, qa: 1, qb: 2},
		{fp: fuzzPrice{model: 1, amount: 1, custom: true, unitB: 0}, qa: 1, qb: 2},
		// Negative quantities count as zero.
		{fp: fuzzPrice{model: 1, amount: 1}, qa: -5, qb: 3},
	}
	for _, s := range seeds {
		fp := s.fp
		f.Add(fp.model, fp.modeAndTiers, fp.rounding, fp.scale, fp.amount, fp.size, fp.free, fp.minimum,
			fp.step, fp.unitA, fp.unitB, fp.flat, fp.custom, s.qa, s.qb, s.qScale, s.cur, s.d, s.of)
	}

	f.Fuzz(func(t *testing.T, model, modeAndTiers, rounding, scale uint8, amount, size, free, minimum,
		step, unitA, unitB, flat int64, custom bool, qa, qb int64, qScale, curPick, days, ofDays uint8) {
		p := fuzzPrice{model, modeAndTiers, rounding, scale, amount, size, free, minimum, step, unitA, unitB, flat, custom}.build()
		cur := []domain.Currency{"USD", "JPY", "BHD"}[int(curPick)%3]
		var pr Proration
		if of := int(ofDays % 32); of > 0 {
			pr = Proration{Days: int(days) % (of + 1), OfDays: of}
		}
		a := decimal.New(qa, -int32(qScale%8))
		b := decimal.New(qb, -int32(qScale%8))

		lineA, errA := Rate(p, a, cur, pr)
		lineB, errB := Rate(p, b, cur, pr)
		if verr := p.Validate(); verr != nil {
			if errA == nil || errB == nil {
				t.Fatalf("Rate accepted an invalid price %+v (%v)", p, verr)
			}
			if domain.KindOf(errA) != domain.KindValidation {
				t.Fatalf("Rate error %v is not a validation error", errA)
			}
			return
		}
		if errA != nil || errB != nil {
			t.Fatalf("Rate rejected a valid price %+v: %v / %v", p, errA, errB)
		}
		checkLine(t, p, cur, a, lineA)
		checkLine(t, p, cur, b, lineB)

		// Per-unit, package and graduated amounts never fall as the quantity
		// grows (volume may: 10,001 calls can cost less than 10,000).
		lo, hi := lineA, lineB
		if a.GreaterThan(b) {
			lo, hi = lineB, lineA
		}
		if p.Model != ModelTiered || p.tierMode() == ModeGraduated {
			if lo.Exact.GreaterThan(hi.Exact) || lo.Amount.GreaterThan(hi.Amount) {
				t.Fatalf("%s price fell as the quantity grew: %s → %s (exact %s), %s → %s (exact %s)",
					p.Model, lo.Quantity, lo.Amount, lo.Exact, hi.Quantity, hi.Amount, hi.Exact)
			}
		}

		// One unbounded tier without a flat amount is a per_unit price, graduated
		// or volume, whatever the package rounding: the same exact amount.
		if p.Model == ModelTiered && len(p.Tiers) == 1 && p.Tiers[0].FlatAmount.IsZero() {
			pu := p
			pu.Model, pu.Amount, pu.Tiers, pu.TierMode = ModelPerUnit, p.Tiers[0].UnitAmount, nil, ""
			if pu.Validate() == nil {
				same, err := Rate(pu, a, cur, pr)
				if err != nil {
					t.Fatal(err)
				}
				if !same.Exact.Equal(lineA.Exact) || !same.Amount.Equal(lineA.Amount) {
					t.Fatalf("one tier priced %s (exact %s), per_unit %s (exact %s)", lineA.Amount, lineA.Exact, same.Amount, same.Exact)
				}
			}
		}

		// Per-unit is additive: exact(a+b) = exact(a) + exact(b) with no free
		// units, packages or minimum, for quantities that are not negative.
		if p.Model == ModelPerUnit && p.FreeUnits.IsZero() && p.PackageSize == nil && p.MinimumAmount == nil &&
			a.Sign() >= 0 && b.Sign() >= 0 {
			sum, err := Rate(p, a.Add(b), cur, pr)
			if err != nil {
				t.Fatal(err)
			}
			if !sum.Exact.Equal(lineA.Exact.Add(lineB.Exact)) {
				t.Fatalf("per_unit is not additive: exact(%s + %s) = %s, want %s + %s", a, b, sum.Exact, lineA.Exact, lineB.Exact)
			}
		}
	})
}

// checkLine checks what must hold of every line of a valid price.
func checkLine(t *testing.T, p Price, cur domain.Currency, q decimal.Decimal, l Line) {
	t.Helper()
	half := decimal.New(5, -cur.MinorUnits()-1)

	if !l.Quantity.Equal(q) {
		t.Fatalf("Quantity = %s, want the raw %s", l.Quantity, q)
	}
	if l.Exact.Sign() < 0 || l.Amount.Sign() < 0 {
		t.Fatalf("negative line: exact %s, amount %s", l.Exact, l.Amount)
	}
	if !l.Amount.Equal(cur.Round(l.Amount)) {
		t.Fatalf("Amount %s is not rounded to the %s minor unit", l.Amount, cur)
	}
	// The rounded line is within half a minor unit of the exact amount.
	if p.PriceUnit == "" {
		if l.Amount.Sub(l.Exact).Abs().GreaterThan(half) {
			t.Fatalf("Amount %s is more than half a minor unit from exact %s", l.Amount, l.Exact)
		}
		if !l.UnitAmount.Equal(l.Amount) {
			t.Fatalf("UnitAmount %s ≠ Amount %s without a custom unit", l.UnitAmount, l.Amount)
		}
	} else {
		if l.UnitAmount.Sub(l.Exact).Abs().GreaterThan(decimal.New(5, -CustomUnitPlaces-1)) {
			t.Fatalf("UnitAmount %s is more than half a millionth from exact %s credits", l.UnitAmount, l.Exact)
		}
		if l.Amount.Sub(l.UnitAmount.Mul(*p.ConversionRate)).Abs().GreaterThan(half) {
			t.Fatalf("Amount %s is more than half a minor unit from %s × %s", l.Amount, l.UnitAmount, p.ConversionRate)
		}
	}
	if l.Description == "" {
		t.Fatal("empty description")
	}
	if p.Model == ModelFlat {
		return
	}

	// A package count is never below the exact quotient rounding up nor
	// above it rounding down, and is within one package of it.
	afterFree := decimal.Max(q.Sub(p.FreeUnits), decimal.Zero)
	if p.PackageSize != nil {
		size := *p.PackageSize
		covered := l.Billable.Mul(size)
		switch p.rounding() {
		case RoundUp:
			if !l.Billable.IsInteger() || covered.LessThan(afterFree) || !l.Billable.Sub(one).Mul(size).LessThan(afterFree) && l.Billable.Sign() > 0 {
				t.Fatalf("rounding up: %s packages of %s for %s units", l.Billable, size, afterFree)
			}
		case RoundDown:
			if !l.Billable.IsInteger() || covered.GreaterThan(afterFree) || !l.Billable.Add(one).Mul(size).GreaterThan(afterFree) {
				t.Fatalf("rounding down: %s packages of %s for %s units", l.Billable, size, afterFree)
			}
		case RoundNone:
			if covered.Sub(afterFree).Abs().GreaterThan(size.Mul(decimal.New(5, -PackagePlaces-1))) {
				t.Fatalf("rounding none: %s packages of %s for %s units", l.Billable, size, afterFree)
			}
		}
	} else if !l.Billable.Equal(afterFree) {
		t.Fatalf("Billable = %s, want %s - %s free, not below zero", l.Billable, q, p.FreeUnits)
	}

	// Tier lines add up to the line (unless the minimum replaced it), and
	// graduated tier quantities add up to the billable quantity.
	if p.Model == ModelTiered {
		sumAmount, sumQty := decimal.Zero, decimal.Zero
		for _, tl := range l.Tiers {
			sumAmount = sumAmount.Add(tl.Amount)
			sumQty = sumQty.Add(tl.Quantity)
		}
		if len(l.Tiers) == 0 {
			t.Fatal("a tiered line without tier lines")
		}
		if !l.MinimumApplied && !sumAmount.Equal(l.Exact) {
			t.Fatalf("tier lines add up to %s, line exact is %s", sumAmount, l.Exact)
		}
		if !sumQty.Equal(l.Billable) {
			t.Fatalf("tier quantities add up to %s, billable is %s", sumQty, l.Billable)
		}
	}
}
