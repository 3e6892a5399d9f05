package cycle

import "github.com/tallyhq/tally/domain"

// Interval is the length of a billing period.
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

// Kind says where period boundaries fall.
type Kind string

// The cycle kinds. The empty Kind means Calendar.
const (
	Calendar    Kind = "calendar"
	Anniversary Kind = "anniversary"
)

// Valid reports whether k is a known kind; the empty Kind is valid and means
// Calendar.
func (k Kind) Valid() bool {
	switch k {
	case "", Calendar, Anniversary:
		return true
	}
	return false
}

// Validate reports an unknown or missing interval (field "interval") and an
// unknown kind (field "billing_cycle") together, as one domain validation
// error. Start and Location are not checked: any instant is a valid start, and
// a nil Location means UTC (see LoadLocation for parsing a zone name).
func (c Cycle) Validate() error {
	var p domain.Problems
	switch {
	case c.Interval == "":
		p.Add("interval", "is required: one of day, week, month, quarter, year")
	case !c.Interval.Valid():
		p.Add("interval", "unknown interval %q: must be one of day, week, month, quarter, year", string(c.Interval))
	}
	if !c.Kind.Valid() {
		p.Add("billing_cycle", "unknown billing cycle %q: must be calendar or anniversary", string(c.Kind))
	}
	return p.Err()
}
