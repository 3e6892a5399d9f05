package cycle

import (
	"time"

	"github.com/tallyhq/tally/domain"
)

// date is a calendar date with no zone, always normalized (d within month).
type date struct {
	y int
	m time.Month
	d int
}

// newDate normalizes y-m-d the way time.Date does (Jan 32 is Feb 1).
func newDate(y int, m time.Month, d int) date {
	y, m, d = time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Date()
	return date{y, m, d}
}

// dateOf returns the calendar date of t in loc.
func dateOf(t time.Time, loc *time.Location) date {
	y, m, d := t.In(loc).Date()
	return date{y, m, d}
}

func (d date) addDays(n int) date { return newDate(d.y, d.m, d.d+n) }

// dayNumber counts days from 1970-01-01, so that differences count days.
func (d date) dayNumber() int {
	return floorDiv(int(time.Date(d.y, d.m, d.d, 0, 0, 0, 0, time.UTC).Unix()), 86400)
}

func (d date) before(e date) bool { return d.dayNumber() < e.dayNumber() }

// daysIn returns the number of days of month m of year y.
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// dayStart returns the first instant of calendar day d in loc, in UTC.
//
// time.Date alone is not enough at the edges: where midnight does not exist
// (America/Santiago jumps from 00:00 to 01:00) it may answer 23:00 the day
// before, and where midnight happens twice (America/Havana falls back from
// 01:00 to 00:00) it does not promise the first. So this tries local midnight
// under each offset in effect around time.Date's answer and keeps the earliest
// that really shows 00:00 on d; if none does, the day begins at the zone
// transition that skipped midnight.
func dayStart(d date, loc *time.Location) time.Time {
	wall := time.Date(d.y, d.m, d.d, 0, 0, 0, 0, time.UTC)
	t := time.Date(d.y, d.m, d.d, 0, 0, 0, 0, loc)
	zoneStart, zoneEnd := t.ZoneBounds()
	var offsets [3]int // in effect at t, before its zone began, after it ends
	_, offsets[0] = t.Zone()
	n := 1
	if !zoneStart.IsZero() {
		_, offsets[n] = zoneStart.Add(-time.Nanosecond).Zone()
		n++
	}
	if !zoneEnd.IsZero() {
		_, offsets[n] = zoneEnd.Zone()
		n++
	}
	var best time.Time
	for _, offset := range offsets[:n] {
		x := wall.Add(-time.Duration(offset) * time.Second)
		local := x.In(loc)
		if dateOf(local, loc) == d && local.Hour() == 0 && local.Minute() == 0 && local.Second() == 0 {
			if best.IsZero() || x.Before(best) {
				best = x
			}
		}
	}
	if !best.IsZero() {
		return best.UTC()
	}
	// Midnight was skipped: the day begins at the transition into it.
	for _, x := range []time.Time{zoneStart, zoneEnd} {
		if !x.IsZero() && !dateOf(x, loc).before(d) {
			if best.IsZero() || x.Before(best) {
				best = x
			}
		}
	}
	if !best.IsZero() {
		return best.UTC()
	}
	return t.UTC()
}

// StartOfDay returns the first instant (in UTC) of the calendar day, in loc,
// that contains t. A nil loc means UTC.
func StartOfDay(t time.Time, loc *time.Location) time.Time {
	loc = orUTC(loc)
	return dayStart(dateOf(t, loc), loc)
}

// Days returns the number of calendar days, in loc, that p touches for any
// part: [Mar 12 09:30, Apr 1 00:00) in UTC touches 20 days (Mar 12 to Mar 31;
// End is excluded, so a period ending at midnight does not touch the day that
// midnight begins). A period of one second touches one day, or two if it
// straddles midnight. A date the zone skipped entirely (Pacific/Apia,
// 2011-12-30) is not touched. An empty period touches 0 days, and so does an
// unbounded one (zero End), which has no day count. A nil loc means UTC.
func Days(p domain.Period, loc *time.Location) int {
	if p.End.IsZero() || !p.Start.Before(p.End) {
		return 0
	}
	loc = orUTC(loc)
	first := dateOf(p.Start, loc)
	last := dateOf(p.End.Add(-time.Nanosecond), loc)
	return last.dayNumber() - first.dayNumber() + 1 - skippedDates(p, loc)
}

// skippedDates counts the calendar dates that no instant of p shows in loc
// because a zone transition jumped over them (Pacific/Apia skipped 2011-12-30).
// It visits only the zone transitions inside p, a handful a year.
func skippedDates(p domain.Period, loc *time.Location) int {
	skipped := 0
	for x := p.Start; ; {
		_, end := x.In(loc).ZoneBounds()
		if end.IsZero() || !end.Before(p.End) || !end.After(x) {
			return skipped
		}
		if gap := dateOf(end, loc).dayNumber() - dateOf(end.Add(-time.Nanosecond), loc).dayNumber() - 1; gap > 0 {
			skipped += gap
		}
		x = end
	}
}

// DayPeriods splits p into the calendar days (in loc) it touches, each
// clipped to p, in order: for [Mar 12 09:30, Mar 14 00:00) that is
// [Mar 12 09:30, Mar 13 00:00) and [Mar 13 00:00, Mar 14 00:00). Days that are
// not 24 hours long (daylight saving changes) keep their real length. An
// empty or unbounded p gives none. A nil loc means UTC.
func DayPeriods(p domain.Period, loc *time.Location) []domain.Period {
	if p.End.IsZero() || !p.Start.Before(p.End) {
		return nil
	}
	loc = orUTC(loc)
	var days []domain.Period
	for start := p.Start.UTC(); start.Before(p.End); {
		next := dateOf(start, loc).addDays(1)
		end := dayStart(next, loc)
		for !end.After(start) { // a zone that fell back across midnight
			next = next.addDays(1)
			end = dayStart(next, loc)
		}
		if end.After(p.End) {
			end = p.End.UTC()
		}
		days = append(days, domain.Period{Start: start, End: end})
		start = end
	}
	return days
}

func orUTC(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
