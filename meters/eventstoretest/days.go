package eventstoretest

import (
	"fmt"
	"testing"
	"time"
	_ "time/tzdata" // the zones below, wherever the suite runs

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/meters"
)

type gbAt struct {
	at string // UTC
	gb int
}

func (h *harness) sendGB(t *testing.T, customer string, events []gbAt) {
	t.Helper()
	for i, e := range events {
		h.write(t, ev(fmt.Sprintf("%s-%d", customer, i), customer, "disk", e.at, fmt.Sprintf(`{"gb": %d}`, e.gb)))
	}
}

func testUnitDays(t *testing.T, h *harness) {
	m := h.meter(t, meters.UnitDays, "gb", "disk", nil)
	cases := []struct {
		name       string
		zone       string
		start, end string // the period, UTC instants of local midnights
		until      string
		events     []gbAt
		want, utc  int64 // in the zone's days, and in UTC days
	}{
		{
			// Mar 2026 in Berlin; Mar 29 is 23 hours. Mar 1 carries 10 from
			// Feb 27 (before the window); Mar 2–28 20 each; Mar 29 max 50;
			// Mar 30–31 carry 40: 10 + 540 + 50 + 80 = 680.
			name: "unit_days in Europe/Berlin counts local days and carries a value from before the window", zone: "Europe/Berlin",
			start: "2026-02-28T23:00:00Z", end: "2026-03-31T22:00:00Z",
			events: []gbAt{{"2026-02-27T12:00:00Z", 10}, {"2026-03-01T23:30:00Z", 20}, {"2026-03-29T00:30:00Z", 50}, {"2026-03-29T21:30:00Z", 40}},
			want:   680, utc: 700,
		},
		{
			// The same proposed at Mar 29 01:30Z: Mar 1–29 have begun, 40 comes
			// later: 10 + 540 + 50 = 600.
			name: "unit_days in Europe/Berlin up to Until counts the days begun", zone: "Europe/Berlin",
			start: "2026-02-28T23:00:00Z", end: "2026-03-31T22:00:00Z", until: "2026-03-29T01:30:00Z",
			events: []gbAt{{"2026-02-27T12:00:00Z", 10}, {"2026-03-01T23:30:00Z", 20}, {"2026-03-29T00:30:00Z", 50}, {"2026-03-29T21:30:00Z", 40}},
			want:   600, utc: 620,
		},
		{
			// Sep 2026 in Santiago; Sep 6 has no midnight and begins at 04:00Z.
			// Sep 1–5 carry 3 from Aug 20; Sep 6 6; Sep 7–30 carry 6: 165.
			name: "unit_days in America/Santiago counts the day whose midnight is skipped once", zone: "America/Santiago",
			start: "2026-09-01T04:00:00Z", end: "2026-10-01T03:00:00Z",
			events: []gbAt{{"2026-08-20T12:00:00Z", 3}, {"2026-09-06T04:30:00Z", 6}},
			want:   165, utc: 171,
		},
		{
			name: "unit_days in America/Santiago up to the instant the skipped-midnight day begins leaves it out", zone: "America/Santiago",
			start: "2026-09-01T04:00:00Z", end: "2026-10-01T03:00:00Z", until: "2026-09-06T04:00:00Z",
			events: []gbAt{{"2026-08-20T12:00:00Z", 3}, {"2026-09-06T04:30:00Z", 6}},
			want:   15, utc: 18,
		},
		{
			// Nothing before the window and nothing on its first two days:
			// they count zero; Jan 3 5, Jan 4 carries 5, Jan 5 max(1, 7).
			name: "unit_days counts zero for days before any value", zone: "UTC",
			start: "2026-01-01T00:00:00Z", end: "2026-01-06T00:00:00Z",
			events: []gbAt{{"2026-01-03T10:00:00Z", 5}, {"2026-01-05T01:00:00Z", 1}, {"2026-01-05T02:00:00Z", 7}},
			want:   17, utc: 17,
		},
		{
			// Only the latest value before the window carries, whatever
			// order the earlier values were written in.
			name: "unit_days carries the latest value before the window whatever order it was written in", zone: "UTC",
			start: "2026-01-10T00:00:00Z", end: "2026-01-12T00:00:00Z",
			events: []gbAt{{"2026-01-09T10:00:00Z", 4}, {"2026-01-01T10:00:00Z", 100}, {"2026-01-08T10:00:00Z", 50}},
			want:   8, utc: 8,
		},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			customer := fmt.Sprintf("d%d", i)
			h.sendGB(t, customer, c.events)
			w := meters.Window{Period: domain.Period{Start: at(c.start), End: at(c.end)}, Location: zone(t, c.zone)}
			if c.until != "" {
				w.Until = at(c.until)
			}
			if got := h.quantity(t, m, customer, nil, w); !got.Equal(dec(fmt.Sprint(c.want))) {
				t.Errorf("unit_days = %s, want %d", got, c.want)
			}
			w.Location = nil
			if got := h.quantity(t, m, customer, nil, w); !got.Equal(dec(fmt.Sprint(c.utc))) {
				t.Errorf("in UTC days unit_days = %s, want %d", got, c.utc)
			}
		})
	}
}

func testSeries(t *testing.T, h *harness) {
	days := h.meter(t, meters.UnitDays, "gb", "disk", nil)
	count := h.meter(t, meters.Count, "", "disk", nil)
	peak := h.meter(t, meters.Max, "gb", "disk", nil)
	h.ensure(t, count, nil)
	cases := []struct {
		name        string
		zone        string
		granularity meters.Granularity
		from, to    string
		events      []gbAt
		bounds      []string // bucket starts, then the last bucket's end (UTC)
		want        map[string][]int64
	}{
		{
			name: "a daily series in Europe/Berlin has a 23-hour bucket on the day clocks go forward", zone: "Europe/Berlin", granularity: meters.Day,
			from: "2026-03-27T23:00:00Z", to: "2026-03-30T22:00:00Z",
			events: []gbAt{{"2026-03-01T23:30:00Z", 20}, {"2026-03-29T00:30:00Z", 50}, {"2026-03-29T21:30:00Z", 40}},
			bounds: []string{"2026-03-27T23:00:00Z", "2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z", "2026-03-30T22:00:00Z"},
			want:   map[string][]int64{"unit_days": {20, 50, 40}, "count": {0, 2, 0}, "max": {0, 50, 0}},
		},
		{
			name: "a daily series in America/Santiago begins the skipped-midnight day at the transition", zone: "America/Santiago", granularity: meters.Day,
			from: "2026-09-05T04:00:00Z", to: "2026-09-08T03:00:00Z",
			events: []gbAt{{"2026-08-20T12:00:00Z", 3}, {"2026-09-06T04:30:00Z", 6}, {"2026-09-07T02:59:59Z", 8}},
			bounds: []string{"2026-09-05T04:00:00Z", "2026-09-06T04:00:00Z", "2026-09-07T03:00:00Z", "2026-09-08T03:00:00Z"},
			want:   map[string][]int64{"unit_days": {3, 8, 8}, "count": {0, 2, 0}, "max": {0, 8, 0}},
		},
		{
			name: "an hourly series has UTC hours, From moved back to its hour and the last hour whole", zone: "Europe/Berlin", granularity: meters.Hour,
			from: "2026-06-01T10:20:00Z", to: "2026-06-01T12:10:00Z",
			events: []gbAt{{"2026-06-01T09:00:00Z", 1}, {"2026-06-01T10:00:00Z", 4}, {"2026-06-01T10:59:59Z", 2}, {"2026-06-01T12:30:00Z", 9}},
			bounds: []string{"2026-06-01T10:00:00Z", "2026-06-01T11:00:00Z", "2026-06-01T12:00:00Z", "2026-06-01T13:00:00Z"},
			// unit_days per hour: the bucket's day max, or the carried value.
			want: map[string][]int64{"unit_days": {4, 2, 9}, "count": {2, 0, 1}, "max": {4, 0, 9}},
		},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			customer := fmt.Sprintf("s%d", i)
			h.sendGB(t, customer, c.events)
			loc := zone(t, c.zone)
			buckets, err := meters.SeriesBuckets(meters.SeriesQuery{From: at(c.from), To: at(c.to), Granularity: c.granularity, Location: loc})
			if err != nil {
				t.Fatal(err)
			}
			if len(buckets) != len(c.bounds)-1 {
				t.Fatalf("%d buckets, want %d: %v", len(buckets), len(c.bounds)-1, buckets)
			}
			for b, p := range buckets {
				if !p.Start.Equal(at(c.bounds[b])) || !p.End.Equal(at(c.bounds[b+1])) {
					t.Errorf("bucket %d is [%s, %s), want [%s, %s)", b, p.Start.Format(time.RFC3339), p.End.Format(time.RFC3339), c.bounds[b], c.bounds[b+1])
				}
			}
			for _, m := range []meters.Meter{days, count, peak} {
				got, err := h.env.Store.Series(h.ctx, h.env.Tenant, m, customer, buckets, loc)
				if err != nil {
					t.Fatal(err)
				}
				want := c.want[string(m.Aggregation.Type)]
				if len(got) != len(want) {
					t.Fatalf("%s: %d values, want %d", m.Aggregation.Type, len(got), len(want))
				}
				for b := range want {
					if !got[b].Equal(dec(fmt.Sprint(want[b]))) {
						t.Errorf("%s bucket %d (%s) = %s, want %d", m.Aggregation.Type, b, c.bounds[b], got[b], want[b])
					}
				}
			}
		})
	}
}
