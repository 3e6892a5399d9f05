package calendar

import (
	"time"

	"github.com/tallyhq/tally/domain"
)

// DayStart returns the first instant of calendar day d in loc, in UTC (nil
// loc: UTC).
//
// time.Date alone is not enough at the edges: where midnight does not exist
// (America/Santiago jumps from 00:00 to 01:00) it may answer 23:00 the day
// before, and where midnight happens twice (America/Havana falls back from
// 01:00 to 00:00) it does not promise the first. So this tries local midnight
// under each offset in effect around time.Date's answer and keeps the earliest
// that really shows 00:00 on d; if none does, the day begins at the zone
// transition that skipped midnight.
func DayStart(d Date, loc *time.Location) time.Time {
	loc = orUTC(loc)
	wall := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
	t := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
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
		if DateOf(local, loc) == d && local.Hour() == 0 && local.Minute() == 0 && local.Second() == 0 {
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
		if !x.IsZero() && !DateOf(x, loc).Before(d) {
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
	return DayStart(DateOf(t, loc), loc)
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
	first := DateOf(p.Start, loc)
	last := DateOf(p.End.Add(-time.Nanosecond), loc)
	return last.DayNumber() - first.DayNumber() + 1 - skippedDates(p, loc)
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
		if gap := DateOf(end, loc).DayNumber() - DateOf(end.Add(-time.Nanosecond), loc).DayNumber() - 1; gap > 0 {
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
		next := DateOf(start, loc).AddDays(1)
		end := DayStart(next, loc)
		for !end.After(start) { // a zone that fell back across midnight
			next = next.AddDays(1)
			end = DayStart(next, loc)
		}
		if end.After(p.End) {
			end = p.End.UTC()
		}
		days = append(days, domain.Period{Start: start, End: end})
		start = end
	}
	return days
}
