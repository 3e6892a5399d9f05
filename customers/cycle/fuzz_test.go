package cycle_test

import (
	"testing"
	"time"

	"github.com/tallyhq/tally/calendar"
	"github.com/tallyhq/tally/customers/cycle"
	"github.com/tallyhq/tally/domain"
)

// FuzzPeriodTiling: for random zones (with a zone change), intervals, kinds,
// starts and instants, PeriodAt(t) contains t, periods are non-empty, Next
// starts where its predecessor ends, and the period containing an instant
// just before a period's end is that period (no gap, no overlap).
func FuzzPeriodTiling(f *testing.F) {
	f.Add(int64(1767225600), int64(3600*24*45), uint8(2), false, uint8(1), uint8(0), int64(0))
	f.Add(int64(1772323200+3*3600), int64(86400*400), uint8(4), true, uint8(3), uint8(5), int64(86400*30))
	f.Add(int64(1293753600), int64(86400*3), uint8(0), true, uint8(9), uint8(2), int64(86400))
	f.Add(int64(0), int64(1), uint8(1), false, uint8(6), uint8(7), int64(-86400*9))
	f.Add(int64(-62135596800), int64(86400*10), uint8(3), true, uint8(2), uint8(8), int64(86400*5))
	f.Fuzz(func(t *testing.T, start, offset int64, interval uint8, anniversary bool, zone, zone2 uint8, changeAfter int64) {
		const span = int64(400 * 366 * 86400) // keep instants within a few centuries of start
		if start < -62135596800 || start > 253402300799-2*span {
			return
		}
		offset %= span
		if offset < 0 {
			offset = -offset
		}
		changeAfter %= span
		loc, err := calendar.LoadLocation(propertyZones[int(zone)%len(propertyZones)])
		if err != nil {
			t.Fatal(err)
		}
		loc2, err := calendar.LoadLocation(propertyZones[int(zone2)%len(propertyZones)])
		if err != nil {
			t.Fatal(err)
		}
		c := cycle.Cycle{
			Interval: []calendar.Interval{calendar.Day, calendar.Week, calendar.Month, calendar.Quarter, calendar.Year}[int(interval)%5],
			Start:    time.Unix(start, 0).UTC(),
			Location: loc,
		}
		if anniversary {
			c.Kind = cycle.Anniversary
		}
		if zone2%2 == 1 {
			c.ZoneChanges = []cycle.ZoneChange{{At: c.Start.Add(time.Duration(changeAfter) * time.Second), Location: loc2}}
		}
		if err := c.Validate(); err != nil {
			t.Fatal(err)
		}
		at := c.Start.Add(time.Duration(offset) * time.Second)
		p, ok := c.PeriodAt(at)
		if !ok {
			t.Fatalf("%+v: no period at %s (after start %s)", c, at, c.Start)
		}
		if !p.Contains(at) || p.Empty() {
			t.Fatalf("%+v: PeriodAt(%s) = %s", c, at, p)
		}
		if p.Start.Before(c.Start) {
			t.Fatalf("%+v: period %s starts before the subscription", c, p)
		}
		q := c.Next(p)
		if !q.Start.Equal(p.End) || q.Empty() {
			t.Fatalf("%+v: Next(%s) = %s", c, p, q)
		}
		if last, ok := c.PeriodAt(p.End.Add(-time.Nanosecond)); !ok || !same(last, p) {
			t.Fatalf("%+v: the instant before %s is in %s, not %s", c, p.End, last, p)
		}
		if first, ok := c.PeriodAt(q.Start); !ok || !same(first, q) {
			t.Fatalf("%+v: %s is in %s, not the next period %s", c, q.Start, first, q)
		}
		if _, ok := c.PeriodAt(c.Start.Add(-time.Nanosecond)); ok {
			t.Fatalf("%+v: a period before the start", c)
		}
	})
}

func same(a, b domain.Period) bool { return a.Start.Equal(b.Start) && a.End.Equal(b.End) }
