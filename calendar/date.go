package calendar

import "time"

// Date is a calendar date with no zone, always normalized (Day within its
// month). The zero Date is not a valid date; build one with NewDate or DateOf.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// NewDate normalizes y-m-d the way time.Date does (Jan 32 is Feb 1).
func NewDate(y int, m time.Month, d int) Date {
	y, m, d = time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Date()
	return Date{y, m, d}
}

// DateOf returns the calendar date of t in loc (nil: UTC).
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(orUTC(loc)).Date()
	return Date{y, m, d}
}

// AddDays returns the date n days later (earlier for a negative n).
func (d Date) AddDays(n int) Date { return NewDate(d.Year, d.Month, d.Day+n) }

// DayNumber counts days from 1970-01-01, so that differences count days.
func (d Date) DayNumber() int {
	return FloorDiv(int(time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Unix()), 86400)
}

// Before reports whether d is an earlier date than e.
func (d Date) Before(e Date) bool { return d.DayNumber() < e.DayNumber() }

// String is the ISO 8601 form, 2026-03-08.
func (d Date) String() string {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

// DaysIn returns the number of days of month m of year y.
func DaysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// FloorDiv is integer division rounding toward negative infinity, so that
// dates before an anchor land in the right interval.
func FloorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func orUTC(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}
