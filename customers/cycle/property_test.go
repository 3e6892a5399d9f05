package cycle_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/tallyhq/tally/calendar"

	"github.com/tallyhq/tally/customers/cycle"
	"github.com/tallyhq/tally/domain"
)

// Zones with every kind of awkward clock: daylight saving at 02:00 (New York,
// Berlin), at midnight skipping it (Santiago) or repeating it (Havana), falling
// back across midnight (Beirut), half-hour and 45-minute offsets (Lord Howe,
// Kathmandu, Chatham, St John's) and a whole skipped date (Apia, 2011-12-30).
var propertyZones = []string{
	"UTC", "America/New_York", "Europe/Berlin", "America/Santiago", "America/Havana",
	"Asia/Beirut", "Australia/Lord_Howe", "Asia/Kathmandu", "Pacific/Chatham",
	"America/St_Johns", "Pacific/Apia", "Asia/Tehran", "Africa/Casablanca",
}

var (
	allIntervals = []calendar.Interval{calendar.Day, calendar.Week, calendar.Month, calendar.Quarter, calendar.Year}
	allKinds     = []cycle.Kind{cycle.Calendar, cycle.Anniversary}
)

// propertyStarts returns starts spread over decades plus the awkward ones:
// local midnights, month ends, leap days and the Apia skip.
func propertyStarts(t *testing.T, rng *rand.Rand, loc *time.Location) []time.Time {
	var starts []time.Time
	lo, hi := at(t, "1995-01-01T00:00:00Z").Unix(), at(t, "2040-01-01T00:00:00Z").Unix()
	for range 10 {
		starts = append(starts, time.Unix(lo+rng.Int64N(hi-lo), rng.Int64N(1e9)).UTC())
	}
	for _, d := range [][3]int{{2026, 1, 31}, {2026, 1, 29}, {2028, 2, 29}, {2026, 3, 8}, {2026, 3, 29}, {2026, 9, 6}, {2026, 4, 5}, {2025, 11, 2}, {2011, 12, 29}, {2011, 12, 31}, {2026, 10, 25}} {
		midnight := time.Date(d[0], time.Month(d[1]), d[2], 0, 0, 0, 0, loc)
		starts = append(starts, midnight, midnight.Add(90*time.Minute), midnight.Add(-time.Second))
	}
	return starts
}

func TestPeriodsTileTime(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	zones := propertyZones
	if testing.Short() {
		zones = zones[:4]
	}
	for _, name := range zones {
		loc := zone(t, name)
		for _, start := range propertyStarts(t, rng, loc) {
			for _, interval := range allIntervals {
				for _, kind := range allKinds {
					c := cycle.Cycle{Interval: interval, Kind: kind, Start: start, Location: loc}
					label := fmt.Sprintf("%s %s %s from %s", name, kind, interval, start.In(loc).Format(time.RFC3339Nano))
					checkTiling(t, rng, c, label)
				}
			}
		}
	}
}

func checkTiling(t *testing.T, rng *rand.Rand, c cycle.Cycle, label string) {
	t.Helper()
	loc := c.Location
	count := map[calendar.Interval]int{calendar.Day: 40, calendar.Week: 20, calendar.Month: 26, calendar.Quarter: 10, calendar.Year: 5}[c.Interval]
	if _, ok := c.PeriodAt(c.Start.Add(-time.Nanosecond)); ok {
		t.Errorf("%s: an instant before the start has a period", label)
	}
	p := c.First()
	if !p.Start.Equal(c.Start) {
		t.Errorf("%s: first period %v does not begin at the start", label, p)
	}
	full := c.FullPeriodAround(p)
	if !full.Contains(c.Start) || !full.End.Equal(p.End) {
		t.Errorf("%s: full period %v does not hold first period %v", label, full, p)
	}
	var periods []domain.Period
	for i := range count {
		if p.Empty() {
			t.Fatalf("%s: period %d %v is empty", label, i, p)
		}
		if !p.End.Equal(calendar.StartOfDay(p.End, loc)) {
			t.Errorf("%s: period %d %v does not end at local midnight", label, i, p)
		}
		if i > 0 {
			if !p.Start.Equal(periods[i-1].End) {
				t.Fatalf("%s: gap or overlap between %v and %v", label, periods[i-1], p)
			}
			if got := c.FullPeriodAround(p); !samePeriod(got, p) {
				t.Errorf("%s: FullPeriodAround(%v) = %v, want itself", label, p, got)
			}
			if got := cycle.ProrationFor(p, p, loc); !got.Full() {
				t.Errorf("%s: a whole period %v is prorated %v", label, p, got)
			}
		}
		checkBoundaryDate(t, c, p.End, label)
		for _, inside := range []time.Time{p.Start, p.End.Add(-time.Nanosecond), p.Start.Add(time.Duration(rng.Int64N(int64(p.End.Sub(p.Start)))))} {
			got, ok := c.PeriodAt(inside)
			if !ok || !samePeriod(got, p) {
				t.Fatalf("%s: PeriodAt(%s) = %v, %v; want %v", label, inside.Format(time.RFC3339Nano), got, ok, p)
			}
			if !got.Contains(inside) {
				t.Fatalf("%s: PeriodAt(%s) = %v does not contain it", label, inside.Format(time.RFC3339Nano), got)
			}
		}
		// Cutting the period anywhere splits its days without losing one.
		cut := p.Start.Add(time.Duration(rng.Int64N(int64(p.End.Sub(p.Start)))))
		f := c.FullPeriodAround(p)
		days := calendar.Days(p, loc)
		for _, s := range []cycle.Split{cycle.SplitAtCancel(p, f, cut, loc), cycle.SplitAtChange(p, f, cut, loc)} {
			if s.Used.Days+s.Unused.Days != days {
				t.Errorf("%s: split of %v at %s = %v + %v, want %d days", label, p, cut, s.Used, s.Unused, days)
			}
		}
		if c.Interval == calendar.Year {
			// DayPeriods of whole years is slow and adds nothing over quarters.
		} else if n := len(calendar.DayPeriods(p, loc)); n != days {
			t.Errorf("%s: %v has %d day periods, want %d", label, p, n, days)
		}
		periods = append(periods, p)
		p = c.Next(p)
	}
	last := periods[len(periods)-1]
	ended := c.PeriodsEndingBy(last.End.Add(time.Duration(rng.Int64N(int64(p.End.Sub(p.Start))))))
	if len(ended) != len(periods) {
		t.Fatalf("%s: PeriodsEndingBy lists %d periods, want %d", label, len(ended), len(periods))
	}
	for i := range ended {
		if !samePeriod(ended[i], periods[i]) {
			t.Fatalf("%s: PeriodsEndingBy[%d] = %v, want %v", label, i, ended[i], periods[i])
		}
	}
}

// checkBoundaryDate checks the calendar date a boundary falls on.
func checkBoundaryDate(t *testing.T, c cycle.Cycle, b time.Time, label string) {
	t.Helper()
	if c.Location.String() == "Pacific/Apia" {
		return // a boundary on the skipped 2011-12-30 moves to Dec 31
	}
	local := b.In(c.Location)
	anchor := c.Start.In(c.Location)
	lastDay := time.Date(local.Year(), local.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
	ok := true
	switch {
	case c.Interval == calendar.Day:
	case c.Interval == calendar.Week && c.Kind == cycle.Calendar:
		ok = local.Weekday() == time.Monday
	case c.Interval == calendar.Week:
		ok = local.Weekday() == anchor.Weekday()
	case c.Kind == cycle.Calendar:
		ok = local.Day() == 1 &&
			(c.Interval != calendar.Quarter || (local.Month()-1)%3 == 0) &&
			(c.Interval != calendar.Year || local.Month() == time.January)
	default:
		months := map[calendar.Interval]int{calendar.Month: 1, calendar.Quarter: 3, calendar.Year: 12}[c.Interval]
		ok = local.Day() == min(anchor.Day(), lastDay) &&
			(int(local.Month())-int(anchor.Month())+12)%months == 0
	}
	if !ok {
		t.Errorf("%s: boundary %s falls on the wrong day", label, local.Format(time.RFC3339))
	}
}
