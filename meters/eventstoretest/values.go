package eventstoretest

import (
	"fmt"
	"testing"

	"github.com/tallyhq/tally/meters"
)

// spellings are one customer's "v" at 10:30:30, as raw JSON, so that each
// reaches the store as sent (and Postgres's jsonb may rewrite it).
var spellings = []string{
	`1e2`, `100`, `100.0`, `"100"`, `-0`, `0`, `1.50`, `1.5`,
	`"caf\u00e9"`, `"café"`, `true`, `"true"`, `"1"`, `1`,
}

func spelled(customer string) []meters.NewEvent {
	var out []meters.NewEvent
	for i, v := range spellings {
		out = append(out, ev(fmt.Sprintf("%s-%d", customer, i), customer, "call", "2026-05-04T10:30:30Z",
			fmt.Sprintf(`{"v": %s, "n": %d}`, v, i+1)))
	}
	return out
}

func testValueEquality(t *testing.T, h *harness) {
	cases := []struct {
		name    string
		filters string
		want    int64
	}{
		{"a number matches every spelling of its value, 1e2 = 100 = 100.0", `{"v": [100]}`, 3},
		{"a number written as an exponent is the same filter", `{"v": [1e2]}`, 3},
		{"a string of digits matches only that string", `{"v": ["100"]}`, 1},
		{"zero matches minus zero", `{"v": [0]}`, 2},
		{"a fraction matches it with trailing zeros", `{"v": [1.5]}`, 2},
		{"an escaped string matches the decoded one, caf\\u00e9 = café", `{"v": ["caf\u00e9"]}`, 2},
		{"a boolean does not match the string true", `{"v": [true]}`, 1},
		{"the string true does not match the boolean", `{"v": ["true"]}`, 1},
		{"the string 1 does not match the number 1", `{"v": ["1"]}`, 1},
		{"the number 1 does not match the string 1", `{"v": [1]}`, 1},
		{"a list of both kinds matches both", `{"v": [1, "1", 1.0]}`, 2},
		{"values that no event holds match nothing", `{"v": ["1e2", false, 101]}`, 0},
	}
	early := h.meter(t, meters.Count, "", "call", nil)
	for _, c := range cases {
		h.ensure(t, early, filtersOf(t, c.filters)) // before the events: kept at ingestion from the JSON as sent
	}
	h.write(t, spelled("early")...)
	h.write(t, spelled("late")...)
	late := h.meter(t, meters.Count, "", "call", nil) // after the events: backfilled from what the store kept
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := filtersOf(t, c.filters)
			for _, x := range []struct {
				m    meters.Meter
				cust string
			}{{early, "early"}, {late, "late"}} {
				for _, p := range paths[:3] {
					if got := h.quantity(t, x.m, x.cust, f, p.w); got.IntPart() != c.want || !got.IsInteger() {
						t.Errorf("%s, %s: count %s, want %d", x.cust, p.name, got, c.want)
					}
				}
			}
		})
	}
	t.Run("unique_count counts equal values once and values of other kinds apart", func(t *testing.T) {
		// 100 (1e2, 100, 100.0), "100", 0 (-0, 0), 1.5 (1.50, 1.5), "café"
		// (twice), true, "true", "1" and 1: 9 values.
		m := h.meter(t, meters.UniqueCount, "v", "call", nil)
		for _, p := range paths[:3] {
			if got := h.quantity(t, m, "early", nil, p.w); !got.Equal(dec("9")) {
				t.Errorf("%s: unique_count %s, want 9", p.name, got)
			}
		}
	})
	t.Run("a meter's filter on a number sums the events of every spelling of it", func(t *testing.T) {
		// The events of 1e2, 100 and 100.0 carry n = 1, 2, 3.
		early := h.meter(t, meters.Sum, "n", "call", filtersOf(t, `{"v": [100]}`))
		h.ensure(t, early, nil)
		h.write(t, spelled("sum")...)
		late := h.meter(t, meters.Sum, "n", "call", filtersOf(t, `{"v": [1e2]}`))
		for _, m := range []meters.Meter{early, late} {
			for _, p := range paths[:3] {
				if got := h.quantity(t, m, "sum", nil, p.w); !got.Equal(dec("6")) {
					t.Errorf("%s: sum %s, want 6", p.name, got)
				}
			}
		}
	})
	t.Run("filter sets that differ only in order or repetition of equal values agree", func(t *testing.T) {
		a, b := filtersOf(t, `{"v": [100, "café"]}`), filtersOf(t, `{"v": ["caf\u00e9", 1e2, 100.0]}`)
		h.ensure(t, early, a)
		for _, p := range paths[:3] {
			x, y := h.quantity(t, early, "early", a, p.w), h.quantity(t, early, "early", b, p.w)
			if !x.Equal(dec("5")) || !y.Equal(dec("5")) {
				t.Errorf("%s: %s and %s, want 5", p.name, x, y)
			}
		}
	})
}

func testLatestTies(t *testing.T, h *harness) {
	// Two events at one instant: "evt-a" (gb 2) and "evt-B" (gb 1). By bytes
	// "evt-a" is the greater id ('a' is 0x61, 'B' 0x42), so latest is 2 on
	// every path, though many collations sort "evt-B" last.
	early := h.meter(t, meters.Latest, "gb", "disk", nil)
	h.ensure(t, early, nil) // kept at ingestion, merged across batches
	tie := func(customer string, ids ...string) {
		for _, id := range ids {
			gb := `1`
			if id[len(id)-1] == 'a' {
				gb = `2`
			}
			h.write(t, ev(customer+id, customer, "disk", "2026-05-04T10:30:30Z", `{"gb": `+gb+`}`))
		}
	}
	tie("first/", "evt-a", "evt-B")                                                  // the greater id first
	tie("last/", "evt-B", "evt-a")                                                   // the greater id last
	h.write(t, ev("one/evt-B", "one/", "disk", "2026-05-04T10:30:30Z", `{"gb": 1}`), // both in one batch
		ev("one/evt-a", "one/", "disk", "2026-05-04T10:30:30Z", `{"gb": 2}`))
	late := h.meter(t, meters.Latest, "gb", "disk", nil)
	days := h.meter(t, meters.UnitDays, "gb", "disk", nil)
	for _, cust := range []string{"first/", "last/", "one/"} {
		for _, x := range []struct {
			m   meters.Meter
			how string
		}{{early, "kept at ingestion"}, {late, "backfilled"}} {
			for _, p := range paths[:3] {
				t.Run(fmt.Sprintf("latest of a tie sent %s, %s, %s, is the greater id's by bytes", cust, x.how, p.name), func(t *testing.T) {
					if got := h.quantity(t, x.m, cust, nil, p.w); !got.Equal(dec("2")) {
						t.Errorf("latest %s, want 2 (evt-a's)", got)
					}
				})
			}
		}
		t.Run("unit_days on the next day carries the tie's winner, sent "+cust, func(t *testing.T) {
			next := period("2026-05-05T00:00:00Z", "2026-05-06T00:00:00Z")
			if got := h.quantity(t, days, cust, nil, next); !got.Equal(dec("2")) {
				t.Errorf("unit_days %s, want 2", got)
			}
		})
	}
}
