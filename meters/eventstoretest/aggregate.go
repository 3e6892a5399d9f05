package eventstoretest

import (
	"fmt"
	"testing"

	"github.com/tallyhq/tally/meters"
)

// paths are windows around 10:30:30 on 2026-05-04 that a rollup store
// serves from whole hours, from whole minutes, from partial minutes (raw
// events), and from all three at once.
var paths = []struct {
	name string
	w    meters.Window
}{
	{"over whole hours", period("2026-05-04T10:00:00Z", "2026-05-04T11:00:00Z")},
	{"over whole minutes", period("2026-05-04T10:29:00Z", "2026-05-04T10:31:00Z")},
	{"over partial minutes", period("2026-05-04T10:30:10Z", "2026-05-04T10:30:50Z")},
	{"over hours, minutes and seconds at once", period("2026-05-04T09:59:30Z", "2026-05-04T11:00:00.5Z")},
	{"from one event up to the next", period("2026-05-04T10:30:30Z", "2026-05-04T10:30:40Z")},
}

// aggEvents are written out of order, one batch each. The half-open
// windows above hold: whole hours e1–e4 (e6 at 11:00 is the next hour's);
// whole minutes e1–e3; partial minutes e1, e2; all at once e1–e6; one up
// to the next e1 only.
var aggEvents = []meters.NewEvent{
	ev("e4", "agg", "call", "2026-05-04T10:45:00Z", `{"n": 1, "u": "x"}`),
	ev("e1", "agg", "call", "2026-05-04T10:30:30Z", `{"n": 5, "u": "x"}`),
	ev("e6", "agg", "call", "2026-05-04T11:00:00Z", `{"n": 50, "u": "z"}`),
	ev("e3", "agg", "call", "2026-05-04T10:29:10Z", `{"n": 7, "u": "y"}`),
	ev("e5", "agg", "call", "2026-05-04T09:59:59Z", `{"n": 100, "u": "w"}`),
	ev("e2", "agg", "call", "2026-05-04T10:30:40Z", `{"n": 2, "u": "y"}`),
	ev("x1", "agg", "other", "2026-05-04T10:30:35Z", `{"n": 1000, "u": "q"}`),    // another event name
	ev("x2", "someone", "call", "2026-05-04T10:30:35Z", `{"n": 1000, "u": "q"}`), // another customer
}

func testAggregations(t *testing.T, h *harness) {
	type meterCase struct {
		typ   meters.AggregationType
		field string
		want  []string // per path
	}
	cases := []meterCase{
		{meters.Count, "", []string{"4", "3", "2", "6", "1"}},
		{meters.Sum, "n", []string{"15", "14", "7", "165", "5"}},
		{meters.Max, "n", []string{"7", "7", "5", "100", "5"}},
		{meters.Latest, "n", []string{"1", "2", "2", "50", "5"}},
		{meters.UniqueCount, "u", []string{"2", "2", "2", "4", "1"}},
		{meters.UnitDays, "n", []string{"7", "7", "5", "100", "5"}}, // one UTC day: its max
	}
	// Each aggregation twice: with its series made before the events (kept
	// at ingestion) and after them (backfilled on first read).
	type made struct {
		m    meters.Meter
		how  string
		want []string
	}
	var all []made
	for _, c := range cases {
		early := h.meter(t, c.typ, c.field, "call", nil)
		h.ensure(t, early, nil)
		all = append(all, made{early, "kept at ingestion", c.want})
	}
	h.writeEach(t, aggEvents...)
	for _, c := range cases {
		all = append(all, made{h.meter(t, c.typ, c.field, "call", nil), "backfilled", c.want})
	}
	var stored []meters.Event // the reference: Aggregate of agg's raw events
	for _, e := range aggEvents {
		if e.Customer == "agg" {
			stored = append(stored, e.Event())
		}
	}
	for _, x := range all {
		for i, p := range paths {
			name := fmt.Sprintf("%s of events %s, %s, is %s", x.m.Aggregation.Type, x.how, p.name, x.want[i])
			t.Run(name, func(t *testing.T) {
				got := h.quantity(t, x.m, "agg", nil, p.w)
				if !got.Equal(dec(x.want[i])) {
					t.Errorf("got %s", got)
				}
				if ref := meters.Aggregate(x.m, nil, stored, nil, p.w); !ref.Equal(got) {
					t.Errorf("the store gives %s, Aggregate of the raw events %s", got, ref)
				}
			})
		}
	}
	t.Run("a late event into hours already read is counted on every path", func(t *testing.T) {
		h.write(t, ev("late", "agg", "call", "2026-05-04T10:30:45Z", `{"n": 9, "u": "late"}`))
		stored := append(stored, ev("late", "agg", "call", "2026-05-04T10:30:45Z", `{"n": 9, "u": "late"}`).Event())
		for _, x := range all {
			for _, p := range paths {
				got := h.quantity(t, x.m, "agg", nil, p.w)
				if ref := meters.Aggregate(x.m, nil, stored, nil, p.w); !ref.Equal(got) {
					t.Errorf("%s (%s) %s: the store gives %s, the raw events %s", x.m.Aggregation.Type, x.how, p.name, got, ref)
				}
			}
		}
	})
	t.Run("an empty or inverted window is zero", func(t *testing.T) {
		for _, x := range all {
			for _, w := range []meters.Window{period("2026-05-04T10:30:30Z", "2026-05-04T10:30:30Z"), period("2026-05-04T11:00:00Z", "2026-05-04T10:00:00Z")} {
				if got := h.quantity(t, x.m, "agg", nil, w); !got.IsZero() {
					t.Errorf("%s over %v = %s", x.m.Aggregation.Type, w.Period, got)
				}
			}
		}
	})
	t.Run("a window ending at Until counts only what came before it", func(t *testing.T) {
		w := period("2026-05-04T10:00:00Z", "2026-05-04T11:00:00Z")
		w.Until = at("2026-05-04T10:30:40Z") // e3, e1; e2 is at Until
		want := map[meters.AggregationType]string{meters.Count: "2", meters.Sum: "12", meters.Max: "7", meters.Latest: "5", meters.UniqueCount: "2", meters.UnitDays: "7"}
		for _, x := range all {
			if got := h.quantity(t, x.m, "agg", nil, w); !got.Equal(dec(want[x.m.Aggregation.Type])) {
				t.Errorf("%s (%s) = %s, want %s", x.m.Aggregation.Type, x.how, got, want[x.m.Aggregation.Type])
			}
		}
	})
	t.Run("a meter's own filters and a price's narrow the events alike", func(t *testing.T) {
		onlyX := filtersOf(t, `{"u": ["x"]}`)
		m := h.meter(t, meters.Sum, "n", "call", onlyX)
		plain := h.meter(t, meters.Sum, "n", "call", nil)
		for _, p := range paths[:4] {
			a, b := h.quantity(t, m, "agg", nil, p.w), h.quantity(t, plain, "agg", onlyX, p.w)
			if ref := meters.Aggregate(plain, onlyX, stored, nil, p.w); !a.Equal(ref) || !b.Equal(ref) {
				t.Errorf("%s: meter filter %s, price filter %s, want %s", p.name, a, b, ref)
			}
		}
	})
}
