package advisor

import (
	"math/big"

	"github.com/tallyhq/tally/domain"
)

// breakpoints are every quantity where some plan's cost formula changes, up
// to where the order of the plans is settled, sorted, from zero.
func breakpoints(cs []curve, periodic *bool) ([]*big.Rat, error) {
	pts := []*big.Rat{new(big.Rat)}
	s0 := new(big.Rat)
	maxSize := big.NewRat(1, 1)
	for _, c := range cs {
		for _, p := range c.prices {
			for _, x := range structural(p) {
				pts = append(pts, x)
				if x.Cmp(s0) > 0 {
					s0 = x
				}
			}
			if p.PackageSize != nil && rat(*p.PackageSize).Cmp(maxSize) > 0 {
				maxSize = rat(*p.PackageSize)
			}
		}
	}
	far := new(big.Rat).Add(new(big.Rat).Mul(s0, big.NewRat(2, 1)), big.NewRat(1_000_000_000_000, 1))
	for _, c := range cs {
		for _, p := range c.prices {
			for _, k := range minimumKinks(p, pts, far) {
				pts = append(pts, k)
				if k.Cmp(s0) > 0 {
					s0 = k
				}
			}
		}
	}
	s1 := new(big.Rat).Add(s0, big.NewRat(1, 1))
	// Beyond s1 each cost lies within its steps of its trend line a + b·x.
	type line struct{ a, b, amp *big.Rat }
	lines := make([]line, len(cs))
	for i, c := range cs {
		x2 := new(big.Rat).Add(s1, big.NewRat(1, 1))
		v1, v2 := c.trend(s1), c.trend(x2)
		b := new(big.Rat).Sub(v2, v1)
		a := new(big.Rat).Sub(v1, new(big.Rat).Mul(b, s1))
		amp := new(big.Rat)
		for _, p := range c.prices {
			if step, ok := stepped(p); ok {
				amp.Add(amp, step)
			}
		}
		lines[i] = line{a, b, amp}
	}
	xmax := new(big.Rat).Set(s1)
	for i := range lines {
		for j := i + 1; j < len(lines); j++ {
			da := new(big.Rat).Sub(lines[i].a, lines[j].a)
			db := new(big.Rat).Sub(lines[i].b, lines[j].b)
			amp := new(big.Rat).Add(lines[i].amp, lines[j].amp)
			if db.Sign() == 0 {
				if new(big.Rat).Abs(da).Cmp(amp) <= 0 && amp.Sign() > 0 {
					*periodic = true
					if x := new(big.Rat).Add(s1, new(big.Rat).Mul(maxSize, big.NewRat(20, 1))); x.Cmp(xmax) > 0 {
						xmax = x
					}
				}
				continue
			}
			for _, sign := range []int64{1, -1} {
				x := new(big.Rat).Mul(amp, big.NewRat(sign, 1))
				x.Sub(x, da).Quo(x, db)
				if x.Cmp(xmax) > 0 {
					xmax = x
				}
			}
		}
	}
	xmax.Add(xmax, new(big.Rat).Mul(maxSize, big.NewRat(2, 1)))
	pts = append(pts, xmax)
	for _, c := range cs {
		for _, p := range c.prices {
			if _, ok := stepped(p); !ok {
				continue
			}
			size, x := rat(*p.PackageSize), rat(p.FreeUnits)
			for n := 0; ; n++ {
				x = new(big.Rat).Add(x, size)
				if x.Cmp(xmax) > 0 {
					break
				}
				if n > maxPieces {
					return nil, domain.Invalid("meter", "the plans keep changing order over more than %d package steps: narrow the comparison", maxPieces)
				}
				pts = append(pts, x)
			}
		}
	}
	return uniqueRats(pts), nil
}

// cheapestAt are the plans (indexes) with the least exact cost at x.
func cheapestAt(cs []curve, x *big.Rat) []int {
	var best []int
	var min *big.Rat
	for i, c := range cs {
		v := c.at(x)
		switch {
		case min == nil || v.Cmp(min) < 0:
			min, best = v, []int{i}
		case v.Cmp(min) == 0:
			best = append(best, i)
		}
	}
	return best
}

// piece is a point (lo == hi, both inclusive) or an open interval.
type piece struct {
	lo, hi     *big.Rat // hi nil: unbounded
	loIn, hiIn bool
	set        []int
}

func pointPiece(x *big.Rat, set []int) piece {
	return piece{lo: x, hi: x, loIn: true, hiIn: true, set: set}
}

func (p piece) point() bool { return p.hi != nil && p.lo.Cmp(p.hi) == 0 }

// sweep walks the breakpoints: on each open interval every cost is linear
// (taken through two interior points), the pairwise crossings split it, and
// the cheapest set is constant on each part.
func sweep(cs []curve, pts []*big.Rat) []piece {
	var out []piece
	for i, p := range pts {
		out = append(out, pointPiece(p, cheapestAt(cs, p)))
		if i+1 == len(pts) {
			break
		}
		q := pts[i+1]
		x1, x2 := third(p, q, 1), third(p, q, 2)
		var cuts []*big.Rat
		for a := range cs {
			for b := a + 1; b < len(cs); b++ {
				d1 := new(big.Rat).Sub(cs[a].at(x1), cs[b].at(x1))
				d2 := new(big.Rat).Sub(cs[a].at(x2), cs[b].at(x2))
				if x, ok := solve(x1, d1, x2, d2, new(big.Rat)); ok && x.Cmp(p) > 0 && x.Cmp(q) < 0 {
					cuts = append(cuts, x)
				}
			}
		}
		cuts = uniqueRats(append(cuts, p, q))
		for k := 0; k+1 < len(cuts); k++ {
			if k > 0 {
				out = append(out, pointPiece(cuts[k], cheapestAt(cs, cuts[k])))
			}
			mid := third(cuts[k], cuts[k+1], 1)
			out = append(out, piece{lo: cuts[k], hi: cuts[k+1], set: cheapestAt(cs, mid)})
		}
	}
	last := pts[len(pts)-1]
	beyond := new(big.Rat).Add(last, big.NewRat(1, 1))
	out = append(out, piece{lo: last, set: cheapestAt(cs, beyond)})
	return merge(out)
}

func sameSet(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// merge joins neighbouring pieces with the same cheapest plans.
func merge(ps []piece) []piece {
	var out []piece
	for _, p := range ps {
		if n := len(out); n > 0 && sameSet(out[n-1].set, p.set) {
			out[n-1].hi, out[n-1].hiIn = p.hi, p.hiIn
			continue
		}
		out = append(out, p)
	}
	return out
}
