package calendar

import "github.com/tallyhq/tally/domain"

// Interval is the length of a billing period. The rule of the one list of
// intervals lives here, in the leaf, so that the catalog (a plan's interval)
// and the period grid (customers/cycle) share it without importing each
// other.
type Interval string

// The billing intervals. A quarter is three months starting January, April,
// July or October for calendar cycles, three months from the anchor day for
// anniversary cycles.
const (
	Day     Interval = "day"
	Week    Interval = "week"
	Month   Interval = "month"
	Quarter Interval = "quarter"
	Year    Interval = "year"
)

// Valid reports whether i is one of the known intervals. The empty interval
// is not valid: an interval has no default.
func (i Interval) Valid() bool {
	switch i {
	case Day, Week, Month, Quarter, Year:
		return true
	}
	return false
}

// Validate reports a missing or unknown interval as one domain validation
// problem under the field "interval" (nil when i is valid).
func (i Interval) Validate() error {
	var p domain.Problems
	switch {
	case i == "":
		p.Add("interval", "is required: one of day, week, month, quarter, year")
	case !i.Valid():
		p.Add("interval", "unknown interval %q: must be one of day, week, month, quarter, year", string(i))
	}
	return p.Err()
}
