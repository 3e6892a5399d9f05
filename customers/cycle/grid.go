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
	loc    *time.Location // the zone of the first segment (the anchor's)
	anchor calendar.Date
	days   int // step in days (day, week), or 0
	months int // step in months (month, quarter, year), or 0
	// segs are the time zones boundaries are taken in, in order: a boundary
	// belongs to the first segment whose until it does not pass (the last
	// segment has no until). One segment when the zone never changed.
	segs []segment
}

// segment is a stretch of boundaries taken in one zone, up to and
// including the boundary until.
type segment struct {
	loc   *time.Location
	until time.Time
}

// grid builds c's boundaries. It panics on an invalid cycle: callers Validate
// a Cycle when they accept it, so this is a programming error.
func (c Cycle) grid() grid {
	loc := orUTC(c.Location)
	var later []ZoneChange
	for _, z := range c.ZoneChanges {
		if z.At.Before(c.Start) {
			loc = orUTC(z.Location) // nothing had begun: every period follows it
		} else {
			later = append(later, z)
		}
	}
	g := c.baseGrid(loc)
	for _, z := range later {
		end := g.after(z.At) // the end of the period running at the change
		g.segs[len(g.segs)-1].until = end
		g.segs = append(g.segs, segment{loc: orUTC(z.Location)})
	}
	return g
}

// baseGrid is the grid in one zone, anchored at Anchor (or Start).
func (c Cycle) baseGrid(loc *time.Location) grid {
	at := c.Start
	if !c.Anchor.IsZero() {
		at = c.Anchor
	}
	start := calendar.DateOf(at, loc)
	g := grid{loc: loc, anchor: start, segs: []segment{{loc: loc}}}
	switch c.Kind {
	case "", Calendar:
		switch c.Interval {
		case calendar.Day:
			g.days = 1
		case calendar.Week: // ISO week: back to Monday
			g.days = 7
			g.anchor = start.AddDays(-((int(at.In(loc).Weekday()) + 6) % 7))
		case calendar.Month:
			g.months, g.anchor.Day = 1, 1
		case calendar.Quarter:
			g.months, g.anchor.Day = 3, 1
			g.anchor.Month = time.Month((int(start.Month)-1)/3*3 + 1)
		case calendar.Year:
			g.months, g.anchor.Month, g.anchor.Day = 12, time.January, 1
		}
	case Anniversary:
		switch c.Interval {
		case calendar.Day:
			g.days = 1
		case calendar.Week:
			g.days = 7
		case calendar.Month:
			g.months = 1
		case calendar.Quarter:
			g.months = 3
		case calendar.Year:
			g.months = 12
		}
	}
	if g.days == 0 && g.months == 0 {
		panic(fmt.Sprintf("cycle: invalid cycle (interval %q, kind %q); call Validate first", c.Interval, c.Kind))
	}
	return g
}

// date returns the local date of the n-th boundary (the same whatever the
// zone it is taken in).
func (g grid) date(n int) calendar.Date {
	if g.days > 0 {
		return g.anchor.AddDays(n * g.days)
	}
	months := g.anchor.Year*12 + int(g.anchor.Month) - 1 + n*g.months
	y, m := calendar.FloorDiv(months, 12), time.Month(months-calendar.FloorDiv(months, 12)*12+1)
	return calendar.Date{Year: y, Month: m, Day: min(g.anchor.Day, calendar.DaysIn(y, m))}
}

// boundary returns the n-th boundary (boundary(0) is at or before the
// start): 00:00 on its date in the zone of the segment it falls in, never
// before the end of the previous segment.
func (g grid) boundary(n int) time.Time {
	d := g.date(n)
	var floor time.Time
	for i, s := range g.segs {
		b := calendar.DayStart(d, s.loc)
		if !floor.IsZero() && b.Before(floor) {
			b = floor
		}
		if i == len(g.segs)-1 || !b.After(s.until) {
			return b
		}
		floor = s.until
	}
	panic("cycle: grid without segments")
}

// segmentOf returns the segment boundary b belongs to.
func (g grid) segmentOf(b time.Time) segment {
	for _, s := range g.segs[:len(g.segs)-1] {
		if !b.After(s.until) {
			return s
		}
	}
	return g.segs[len(g.segs)-1]
}

// index returns the largest n with boundary(n) <= t.
func (g grid) index(t time.Time) int {
	d := calendar.DateOf(t, g.segmentOf(t).loc)
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
