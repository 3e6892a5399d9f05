package cycle

import (
	"fmt"
	"time"

	"github.com/tallyhq/tally/calendar"
	"github.com/tallyhq/tally/domain"
)

// grid is the infinite sequence of a cycle's boundaries, boundary(n) for every
// integer n, each computed from the anchor (never by chaining): 00:00 local on
// anchor + n×days, or on anchor + n×months with the day clamped to the month.
// Boundaries never decrease with n; two may coincide only where a zone skipped
// a whole date, and searches step over such empty cells.
type grid struct {
	loc    *time.Location
	anchor calendar.Date
	days   int // step in days (day, week), or 0
	months int // step in months (month, quarter, year), or 0
}

// grid builds c's boundaries. It panics on an invalid cycle: callers Validate
// a Cycle when they accept it, so this is a programming error.
func (c Cycle) grid() grid {
	loc := orUTC(c.Location)
	start := calendar.DateOf(c.Start, loc)
	g := grid{loc: loc, anchor: start}
	switch c.Kind {
	case "", Calendar:
		switch c.Interval {
		case Day:
			g.days = 1
		case Week: // ISO week: back to Monday
			g.days = 7
			g.anchor = start.AddDays(-((int(c.Start.In(loc).Weekday()) + 6) % 7))
		case Month:
			g.months, g.anchor.Day = 1, 1
		case Quarter:
			g.months, g.anchor.Day = 3, 1
			g.anchor.Month = time.Month((int(start.Month)-1)/3*3 + 1)
		case Year:
			g.months, g.anchor.Month, g.anchor.Day = 12, time.January, 1
		}
	case Anniversary:
		switch c.Interval {
		case Day:
			g.days = 1
		case Week:
			g.days = 7
		case Month:
			g.months = 1
		case Quarter:
			g.months = 3
		case Year:
			g.months = 12
		}
	}
	if g.days == 0 && g.months == 0 {
		panic(fmt.Sprintf("cycle: invalid cycle (interval %q, kind %q); call Validate first", c.Interval, c.Kind))
	}
	return g
}

// boundary returns the n-th boundary (boundary(0) is at or before the start).
func (g grid) boundary(n int) time.Time {
	if g.days > 0 {
		return calendar.DayStart(g.anchor.AddDays(n*g.days), g.loc)
	}
	months := g.anchor.Year*12 + int(g.anchor.Month) - 1 + n*g.months
	y, m := calendar.FloorDiv(months, 12), time.Month(months-calendar.FloorDiv(months, 12)*12+1)
	return calendar.DayStart(calendar.Date{Year: y, Month: m, Day: min(g.anchor.Day, calendar.DaysIn(y, m))}, g.loc)
}

// index returns the largest n with boundary(n) <= t.
func (g grid) index(t time.Time) int {
	d := calendar.DateOf(t, g.loc)
	var n int
	if g.days > 0 {
		n = calendar.FloorDiv(d.DayNumber()-g.anchor.DayNumber(), g.days)
	} else {
		n = calendar.FloorDiv(d.Year*12+int(d.Month)-(g.anchor.Year*12+int(g.anchor.Month)), g.months)
	}
	for g.boundary(n).After(t) {
		n--
	}
	for !g.boundary(n + 1).After(t) {
		n++
	}
	return n
}

// around returns the whole grid period containing t.
func (g grid) around(t time.Time) domain.Period {
	n := g.index(t)
	return domain.Period{Start: g.boundary(n), End: g.boundary(n + 1)}
}

// after returns the first boundary strictly after t.
func (g grid) after(t time.Time) time.Time { return g.boundary(g.index(t) + 1) }
