package cycle

import (
	"time"

	"github.com/tallyhq/tally/calendar"
	"github.com/tallyhq/tally/domain"
)

// MaxPeriods caps how many periods one call of PeriodsEndingBy or
// PeriodsEndingBetween returns (about 27 years of daily periods), so that a
// zero or absurdly old start cannot exhaust memory. The earliest periods are
// the ones returned.
const MaxPeriods = 10000

// Cycle describes how a subscription's time is cut into billing periods.
//
// Its methods panic if the Interval or Kind is unknown: call Validate when
// accepting one. The zero Kind means Calendar and a nil Location means UTC.
type Cycle struct {
	Interval calendar.Interval
	Kind     Kind
	// Start is the subscription's start_at, any instant, possibly mid-day. For
	// anniversary cycles its calendar date in Location is the anchor day.
	Start time.Time
	// Location is the customer's IANA time zone before any of ZoneChanges;
	// boundaries fall at 00:00 in it. Nil means UTC.
	Location *time.Location
	// Anchor, when not zero, anchors the grid instead of Start: its date in
	// Location is the anchor day (anniversary) and its period is the one
	// the grid counts from. A plan change's successor keeps its
	// predecessor's grid this way while its first period starts at Start.
	Anchor time.Time
	// ZoneChanges are the customer's time-zone changes, oldest first (see
	// ZoneChange for how they move boundaries).
	ZoneChanges []ZoneChange
}

// ZoneChange is a change of the customer's time zone made at instant At
// (pricing.md, "Periods"). Periods that have begun by At keep their
// boundaries; the next period runs from the current period's end to the
// boundary that would have ended it, taken in the new zone (a monthly
// period that would end on Jan 1 ends at 00:00 on Jan 1 in Location), and
// later boundaries follow the new zone. That one period is a few hours
// longer or shorter but whole. A change before Start applies to every
// period. Where a zone far to the east would put a boundary before the
// previous one (a daily cycle moved 26 hours), the boundary collapses onto
// it and the empty period is skipped, so no instant is ever in two periods.
type ZoneChange struct {
	At       time.Time
	Location *time.Location
}

// LocationAt is the time zone whose calendar days count in the period
// containing t: the zone the period's end boundary was taken in. For a
// cycle without ZoneChanges it is Location.
func (c Cycle) LocationAt(t time.Time) *time.Location {
	g := c.grid()
	return g.segmentOf(g.after(t)).loc
}

// First returns the subscription's first period: [Start, the first boundary
// strictly after Start). It is partial when Start is not on a boundary (its
// fees are prorated against FullPeriodAround) and whole when it is.
func (c Cycle) First() domain.Period {
	return domain.Period{Start: c.Start.UTC(), End: c.grid().after(c.Start)}
}

// PeriodAt returns the period containing t: the first period (starting at
// Start) if t lies in it, else the whole period between the two boundaries
// around t. It reports false, with a zero Period, if t is before Start. An
// instant exactly on a boundary belongs to the period it begins.
func (c Cycle) PeriodAt(t time.Time) (domain.Period, bool) {
	if t.Before(c.Start) {
		return domain.Period{}, false
	}
	p := c.grid().around(t)
	if p.Start.Before(c.Start) {
		p.Start = c.Start.UTC()
	}
	return p, true
}

// Next returns the period that follows p: from p.End to the first boundary
// strictly after it. For a period of this cycle that is the next whole period.
// For a p that ends off the grid (a period cut short by a change of plan) it
// is the partial stretch up to the next boundary. Next does not look at Start.
// An unbounded p (zero End) has no successor: Next returns the zero Period.
func (c Cycle) Next(p domain.Period) domain.Period {
	if p.End.IsZero() {
		return domain.Period{}
	}
	return domain.Period{Start: p.End.UTC(), End: c.grid().after(p.End)}
}

// FullPeriodAround returns the whole, unclipped period that p.Start falls in,
// the denominator for prorating a fee over a partial p. For the first period
// of a calendar cycle it is the calendar period containing Start (for a
// monthly start on Mar 12 09:30, all of March); for an anniversary cycle it is
// [boundary − 1 interval, boundary), which begins at 00:00 on the start day.
// A p that starts on a boundary is its own full period (if it is whole). Only
// p.Start is looked at, so a period cut short by a cancellation gets the whole
// period it was cut from.
func (c Cycle) FullPeriodAround(p domain.Period) domain.Period {
	return c.grid().around(p.Start)
}

// PeriodsEndingBy returns every period of the subscription that ended at or
// before t (End <= t), oldest first, starting with First. The period still
// running at t is not included, nor is anything if t is before First().End.
// At most MaxPeriods are returned; continue with PeriodsEndingBetween.
func (c Cycle) PeriodsEndingBy(t time.Time) []domain.Period {
	return c.collect(c.First(), t)
}

// PeriodsEndingBetween returns the periods whose End lies in (after, t],
// oldest first: what an invoice run that last closed a period ending at
// `after` still has to close. An `after` before Start counts from First. At
// most MaxPeriods are returned; call again with the last End to continue.
func (c Cycle) PeriodsEndingBetween(after, t time.Time) []domain.Period {
	p, ok := c.PeriodAt(after)
	if !ok {
		p = c.First()
	}
	return c.collect(p, t)
}

func (c Cycle) collect(p domain.Period, t time.Time) []domain.Period {
	var out []domain.Period
	g := c.grid()
	for len(out) < MaxPeriods && !p.End.After(t) {
		out = append(out, p)
		p = domain.Period{Start: p.End, End: g.after(p.End)}
	}
	return out
}

func orUTC(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}
