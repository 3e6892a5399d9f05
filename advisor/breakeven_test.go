package advisor_test

import (
	"encoding/json"
	"testing"

	"github.com/tallyhq/tally/app/apptest"
)

type breakEven struct {
	Regions []struct {
		From struct {
			Fraction string `json:"fraction"`
		} `json:"from"`
		To *struct {
			Fraction string `json:"fraction"`
		} `json:"to"`
		Cheapest []string `json:"cheapest"`
	} `json:"regions"`
	Boundaries []struct {
		At struct {
			Fraction string `json:"fraction"`
			Decimal  string `json:"decimal"`
		} `json:"at"`
		Below      []string `json:"cheaper_below"`
		Above      []string `json:"cheaper_above"`
		Totals     []struct{ Plan, Amount string }
		TieFrom    *string `json:"rounded_tie_from"`
		TieTo      *string `json:"rounded_tie_to"`
		BelowUntil *string `json:"below_cheaper_until"`
		AboveFrom  *string `json:"above_cheaper_from"`
	} `json:"boundaries"`
}

func breakEvenOf(t *testing.T, s *apptest.Server, key string, body map[string]any) breakEven {
	t.Helper()
	var b breakEven
	r := s.Must(200, "POST", "/v1/plans/break_even", key, body)
	r.Decode(t, &b)
	t.Logf("%s", r.Body)
	return b
}

func str(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

func TestPricingPageBreakEven(t *testing.T) {
	s, key := pageServer(t)
	// BYOK vs BYOK Pro: exactly 19,000, $38.00 each; Pro cheaper above.
	for _, ext := range []bool{false, true} {
		b := breakEvenOf(t, s, key, map[string]any{"plans": []string{"byok", "byok_pro"}, "meter": "executions", "include_external_costs": ext})
		if len(b.Boundaries) != 1 || b.Boundaries[0].At.Fraction != "19000" || b.Boundaries[0].Below[0] != "byok" || b.Boundaries[0].Above[0] != "byok_pro" {
			t.Fatalf("byok vs byok_pro (external %v): %+v", ext, b.Boundaries)
		}
		want := "38.00"
		if ext {
			want = "237.50"
		}
		if tot := b.Boundaries[0].Totals; tot[0].Amount != want || tot[1].Amount != want {
			t.Errorf("byok vs byok_pro totals at 19,000 (external %v): %+v, want %s each", ext, tot, want)
		}
	}
	// Solo vs BYOK Pro without token costs: 19000/7, ties at 2,714 and
	// 2,715 on rounded totals, Solo cheaper to 2,713, Pro from 2,716.
	b := breakEvenOf(t, s, key, map[string]any{"plans": []string{"solo", "byok_pro"}, "meter": "executions"})
	if len(b.Boundaries) != 1 {
		t.Fatalf("solo vs byok_pro: %+v", b.Boundaries)
	}
	x := b.Boundaries[0]
	if x.At.Fraction != "19000/7" || x.At.Decimal != "2714.285714285714" || x.Below[0] != "solo" || x.Above[0] != "byok_pro" {
		t.Errorf("solo vs byok_pro boundary: %+v", x)
	}
	if x.Totals[0].Amount != "21.71" || x.Totals[1].Amount != "21.71" {
		t.Errorf("totals at 19000/7: %+v, want 21.71 each", x.Totals)
	}
	if str(x.TieFrom) != "2714" || str(x.TieTo) != "2715" || str(x.BelowUntil) != "2713" || str(x.AboveFrom) != "2716" {
		t.Errorf("rounded tie: %s..%s, below until %s, above from %s; want 2714..2715, 2713, 2716", str(x.TieFrom), str(x.TieTo), str(x.BelowUntil), str(x.AboveFrom))
	}
	if len(b.Regions) != 2 || b.Regions[0].Cheapest[0] != "solo" || b.Regions[1].Cheapest[0] != "byok_pro" || b.Regions[1].To != nil {
		t.Errorf("regions: %+v", b.Regions)
	}
	// With token costs BYOK Pro never beats Solo.
	b = breakEvenOf(t, s, key, map[string]any{"plans": []string{"solo", "byok_pro"}, "meter": "executions", "include_external_costs": true})
	if len(b.Boundaries) != 0 || len(b.Regions) != 1 || b.Regions[0].Cheapest[0] != "solo" || b.Regions[0].To != nil {
		t.Errorf("solo vs byok_pro with token costs: %+v", b)
	}
}

// Tiered and package plans: a break-even inside a tier, on a tier
// boundary, and at a package jump.
func TestBreakEvenShapes(t *testing.T) {
	s, key := pageServer(t)
	plan := func(k string, prices ...map[string]any) {
		s.Must(201, "POST", "/v1/plans", key, map[string]any{"key": k, "currency": "USD", "interval": "month", "prices": prices})
	}
	usage := func(extra map[string]any) map[string]any {
		p := map[string]any{"key": "exec", "type": "usage", "meter": "executions"}
		for k, v := range extra {
			p[k] = v
		}
		return p
	}
	fee := func(a string) map[string]any {
		return map[string]any{"key": "base", "type": "fixed", "model": "flat", "amount": a}
	}
	tiers := []any{map[string]any{"up_to": "1000", "unit_amount": "0"}, map[string]any{"up_to": "10000", "unit_amount": "0.01"}, map[string]any{"up_to": nil, "unit_amount": "0.005"}}
	plan("tiered", usage(map[string]any{"model": "tiered", "tiers": tiers}))
	// Inside the second tier: 0.01(x − 1000) = 5 + 0.002x → x = 1875.
	plan("flat5", fee("5.00"), usage(map[string]any{"model": "per_unit", "amount": "0.002"}))
	// On the tier boundary: tiered costs 90.00 at 10,000; 90.00 flat ties
	// there, and tiered is dearer below (no: cheaper below) and... a flat 90
	// is cheaper above.
	plan("flat90", fee("90.00"))
	// A package jump: $1 per started 100, vs $0.0095 per unit: 0.0095x
	// crosses the staircase; at 200 packages cost 2.00 vs 1.90; the per
	// unit line is always below the staircase's top, so the cheaper plan
	// flips at each jump until the line passes the staircase bottom.
	plan("packs", usage(map[string]any{"model": "package", "amount": "1.00", "package_size": "100"}))
	plan("unit0105", usage(map[string]any{"model": "per_unit", "amount": "0.0105"}))

	b := breakEvenOf(t, s, key, map[string]any{"plans": []string{"tiered", "flat5"}, "meter": "executions"})
	if len(b.Boundaries) < 1 || b.Boundaries[0].At.Fraction != "1875" || b.Boundaries[0].Below[0] != "tiered" || b.Boundaries[0].Above[0] != "flat5" {
		t.Errorf("inside a tier: %+v", b.Boundaries)
	}
	b = breakEvenOf(t, s, key, map[string]any{"plans": []string{"tiered", "flat90"}, "meter": "executions"})
	if len(b.Boundaries) != 1 || b.Boundaries[0].At.Fraction != "10000" || b.Boundaries[0].Below[0] != "tiered" || b.Boundaries[0].Above[0] != "flat90" {
		t.Errorf("on a tier boundary: %+v", b.Boundaries)
	}
	// packs vs 0.0105/unit: on (100(k−1), 100k] packs cost k, the line
	// 0.0105x. Packs is cheaper where 0.0105x > k, i.e. x > k/0.0105; first
	// at k = 1: x > 95.238…: (2000/21, 100] packs, then (100, 190.47…] unit
	// (k = 2: 2 > 0.0105x), and so on: a boundary at each package jump.
	b = breakEvenOf(t, s, key, map[string]any{"plans": []string{"packs", "unit0105"}, "meter": "executions"})
	if len(b.Boundaries) < 3 || b.Boundaries[0].At.Fraction != "0" && b.Boundaries[0].At.Fraction != "2000/21" {
		t.Fatalf("package jumps: %+v", b.Boundaries)
	}
	var at []string
	for _, x := range b.Boundaries {
		at = append(at, x.At.Fraction)
	}
	enc, _ := json.Marshal(at)
	t.Logf("package boundaries: %s", enc)
	found := false
	for i, x := range b.Boundaries {
		if x.At.Fraction == "100" && x.Below[0] == "packs" && x.Above[0] == "unit0105" && i > 0 {
			found = true
		}
	}
	if !found {
		t.Errorf("no boundary at the package jump 100 (packs below, unit above): %s", enc)
	}
	last := b.Regions[len(b.Regions)-1]
	if last.To != nil || last.Cheapest[0] != "packs" {
		t.Errorf("far out packs (0.01/unit) beat 0.0105/unit: %+v", last)
	}
}
