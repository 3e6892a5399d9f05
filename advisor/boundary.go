package advisor

import (
	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/plans"
)

// boundaries turns the merged pieces into regions and the boundaries
// between them. A single quantity where the plans on both sides tie (the
// crossing of two lines) is the boundary itself, not a region.
func boundaries(list []plans.Plan, meter string, u Usage, ext bool, ps []piece) ([]Region, []Boundary) {
	var kept []piece
	for i := 0; i < len(ps); i++ {
		p := ps[i]
		if p.point() && len(kept) > 0 && i+1 < len(ps) && sameSet(p.set, union(kept[len(kept)-1].set, ps[i+1].set)) {
			continue
		}
		kept = append(kept, p)
	}
	regions := make([]Region, len(kept))
	for i, p := range kept {
		regions[i] = Region{From: p.lo, To: p.hi, FromInclusive: p.loIn, ToInclusive: p.hiIn && p.hi != nil, Cheapest: keys(list, p.set)}
	}
	var out []Boundary
	for i := 0; i+1 < len(kept); i++ {
		x := kept[i+1].lo
		if n := len(out); n > 0 && out[n-1].At.Cmp(x) == 0 {
			out[n-1].Above = keys(list, kept[i+1].set)
			continue
		}
		out = append(out, Boundary{At: x, Below: keys(list, kept[i].set), Above: keys(list, kept[i+1].set)})
	}
	for i := range out {
		fill(&out[i], list, meter, u, ext)
	}
	return regions, out
}

func union(a, b []int) []int {
	seen := map[int]bool{}
	for _, x := range append(append([]int{}, a...), b...) {
		seen[x] = true
	}
	var out []int
	for i := 0; len(out) < len(seen); i++ {
		if seen[i] {
			out = append(out, i)
		}
	}
	return out
}

func keys(list []plans.Plan, set []int) []string {
	out := make([]string, len(set))
	for i, k := range set {
		out[i] = list[k].Key
	}
	return out
}

// fill adds the rounded totals at the boundary and the whole quantities
// around it where the two sides' rounded costs tie.
func fill(b *Boundary, list []plans.Plan, meter string, u Usage, ext bool) {
	b.Decimal = b.At.FloatString(12)
	at, _ := decimal.NewFromString(b.Decimal)
	for _, pl := range list {
		b.Totals = append(b.Totals, PlanAmount{Plan: pl.Key, Amount: roundedCost(pl, meter, at, u, ext)})
	}
	left, right := planByKey(list, b.Below[0]), planByKey(list, b.Above[0])
	cmp := func(n decimal.Decimal) int {
		return roundedCost(left, meter, n, u, ext).Cmp(roundedCost(right, meter, n, u, ext))
	}
	lo := decimal.NewFromBigInt(floorRat(b.At).Num(), 0)
	hi := decimal.NewFromBigInt(ceilRat(b.At).Num(), 0)
	one := decimal.NewFromInt(1)
	if cmp(lo) != 0 && cmp(hi) != 0 {
		below, above := lo, hi
		if lo.Equal(hi) {
			below, above = lo.Sub(one), hi.Add(one)
		}
		b.BelowUntil, b.AboveFrom = &below, &above
		return
	}
	from, to := lo, hi
	if cmp(lo) != 0 {
		from = hi
	}
	if cmp(hi) != 0 {
		to = lo
	}
	for i := 0; i < tieScan && from.Sign() > 0 && cmp(from.Sub(one)) == 0; i++ {
		from = from.Sub(one)
	}
	for i := 0; i < tieScan && cmp(to.Add(one)) == 0; i++ {
		to = to.Add(one)
	}
	below, above := from.Sub(one), to.Add(one)
	b.TieFrom, b.TieTo, b.BelowUntil, b.AboveFrom = &from, &to, &below, &above
}

func planByKey(list []plans.Plan, key string) plans.Plan {
	for _, p := range list {
		if p.Key == key {
			return p
		}
	}
	return plans.Plan{}
}

// roundedCost is what compare says the plan costs with the meter at q.
func roundedCost(p plans.Plan, meter string, q decimal.Decimal, u Usage, ext bool) decimal.Decimal {
	v := Usage{meter: q}
	for k, x := range u {
		v[k] = x
	}
	quote, err := QuotePlan(p, v, ext)
	if err != nil {
		return decimal.Zero
	}
	return quote.Total
}
