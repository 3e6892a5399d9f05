package cycle

import "github.com/tallyhq/tally/domain"

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
	p.Merge("", c.Interval.Validate())
	if !c.Kind.Valid() {
		p.Add("billing_cycle", "unknown billing cycle %q: must be calendar or anniversary", string(c.Kind))
	}
	return p.Err()
}
