package demo

import "time"

// StartOfPreviousMonth is 00:00 on the first day of the calendar month
// before the one holding now, in loc (nil = UTC), as a UTC instant.
func StartOfPreviousMonth(now time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	l := now.In(loc)
	return time.Date(l.Year(), l.Month()-1, 1, 0, 0, 0, 0, loc).UTC()
}

// AnniversaryStart is the start of a monthly anniversary subscription
// whose current period, at now, began at least ageDays (0-25) days before
// now — at most three days more, as the anniversary day is kept at or
// before the 28th, which every month has — and whose previous period is a
// whole month that has ended: 00:00 in loc (nil = UTC) one month before the
// current period's start, as a UTC instant. So on the 1st of a month at
// 00:00 the current period still holds about half a month of usage.
func AnniversaryStart(now time.Time, loc *time.Location, ageDays int) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	l := now.In(loc)
	current := time.Date(l.Year(), l.Month(), l.Day()-ageDays, 0, 0, 0, 0, loc)
	if current.Day() > 28 {
		current = time.Date(current.Year(), current.Month(), 28, 0, 0, 0, 0, loc)
	}
	return time.Date(current.Year(), current.Month()-1, current.Day(), 0, 0, 0, 0, loc).UTC()
}
