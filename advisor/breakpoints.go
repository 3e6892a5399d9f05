package advisor

import (
	"math/big"
	"sort"

	"github.com/tallyhq/tally/plans/rating"
)

// maxPieces bounds the analysis: more package steps than this before the
// order of the plans is settled is refused rather than computed slowly.
const maxPieces = 200000

// structural are the quantities where a price's formula changes: its free
// units, its tier bounds (in units of the meter: free + up_to × package).
func structural(p rating.Price) []*big.Rat {
	free := rat(p.FreeUnits)
	out := []*big.Rat{free}
	size := big.NewRat(1, 1)
	if p.PackageSize != nil {
		size = rat(*p.PackageSize)
	}
	for _, t := range p.Tiers {
		if t.UpTo != nil {
			b := new(big.Rat).Mul(rat(*t.UpTo), size)
			out = append(out, b.Add(b, free))
		}
	}
	return out
}

// stepped reports whether a price's package count jumps (rounding up or
// down), and its largest jump in the currency: one package at the dearest
// per-package rate.
func stepped(p rating.Price) (*big.Rat, bool) {
	if p.PackageSize == nil || p.Rounding == rating.RoundNone {
		return nil, false
	}
	top := rat(p.Amount)
	for _, t := range p.Tiers {
		if u := rat(t.UnitAmount); u.Cmp(top) > 0 {
			top = u
		}
	}
	return toCurrency(p, top), true
}

// minimumKinks are where a price's amount without its minimum meets the
// minimum, solved on the proportional trend between consecutive points of
// pts (exact for rounding none; a staircase meets it at a package step,
// which is a breakpoint anyway).
func minimumKinks(p rating.Price, pts []*big.Rat, far *big.Rat) []*big.Rat {
	if p.MinimumAmount == nil {
		return nil
	}
	q := p
	if q.PackageSize != nil {
		q.Rounding = rating.RoundNone
	}
	m := rat(*p.MinimumAmount)
	all := append(append([]*big.Rat{}, pts...), far)
	sortRats(all)
	var out []*big.Rat
	for i := 0; i+1 < len(all); i++ {
		a, b := all[i], all[i+1]
		if a.Cmp(b) == 0 {
			continue
		}
		x1, x2 := third(a, b, 1), third(a, b, 2)
		v1, v2 := priceAt(q, x1, false), priceAt(q, x2, false)
		if x, ok := solve(x1, v1, x2, v2, m); ok && x.Cmp(a) > 0 && x.Cmp(b) < 0 {
			out = append(out, x)
		}
	}
	return out
}

// solve finds x where the line through (x1, v1), (x2, v2) equals target.
func solve(x1, v1, x2, v2, target *big.Rat) (*big.Rat, bool) {
	dv := new(big.Rat).Sub(v2, v1)
	if dv.Sign() == 0 {
		return nil, false
	}
	dx := new(big.Rat).Sub(x2, x1)
	t := new(big.Rat).Sub(target, v1)
	t.Mul(t, dx).Quo(t, dv)
	return t.Add(t, x1), true
}

// third is a + (b − a) × k/3.
func third(a, b *big.Rat, k int64) *big.Rat {
	d := new(big.Rat).Sub(b, a)
	d.Mul(d, big.NewRat(k, 3))
	return d.Add(d, a)
}

func sortRats(r []*big.Rat) { sort.Slice(r, func(i, j int) bool { return r[i].Cmp(r[j]) < 0 }) }

// uniqueRats sorts and removes duplicates and negatives.
func uniqueRats(r []*big.Rat) []*big.Rat {
	sortRats(r)
	var out []*big.Rat
	for _, x := range r {
		if x.Sign() < 0 || (len(out) > 0 && out[len(out)-1].Cmp(x) == 0) {
			continue
		}
		out = append(out, x)
	}
	return out
}
