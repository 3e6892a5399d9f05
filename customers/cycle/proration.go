package cycle

import (
	"fmt"
	"time"

	"github.com/tallyhq/tally/calendar"
	"github.com/tallyhq/tally/domain"
)

// Proration is the share of a period's fixed fee owed: Days of OfDays
// calendar days. The fee line is fee × Days / OfDays, computed exactly and
// rounded once by the caller. OfDays is 0 only for an empty or unbounded full
// period, which has no share.
type Proration struct {
	Days   int
	OfDays int
}

// Full reports whether the share is the whole fee (n/n, n > 0).
func (p Proration) Full() bool { return p.OfDays > 0 && p.Days == p.OfDays }

// String shows the share as "20/31", the way an invoice line shows it.
func (p Proration) String() string { return fmt.Sprintf("%d/%d", p.Days, p.OfDays) }

// ProrationFor returns days active / days in the full period, counting every
// calendar day in loc that active touches for any part (see Days). active is
// first clipped to full, so Days never exceeds OfDays and an active period
// outside full is 0/n. A start on Feb 4 in a 29-day February is 26/29; a start
// on Mar 12 09:30 in a calendar month is 20/31; a whole period is n/n. A nil
// loc means UTC.
func ProrationFor(active, full domain.Period, loc *time.Location) Proration {
	return Proration{Days: calendar.Days(intersect(active, full), loc), OfDays: calendar.Days(full, loc)}
}

// Split divides a period's fee at a cancellation or a change of plan: Used is
// the share before the split, Unused the share after it (what a credit line
// gives back for a fee paid in advance). Used.Days + Unused.Days is the days
// of the period, and both count against the same full period.
type Split struct {
	Used   Proration
	Unused Proration
}

// SplitAtCancel splits period p (a fee for it prorated against full) at a
// cancellation at `at`. The day of the cancellation counts as active: Used
// runs to the end of that day in loc and Unused starts the day after, even
// when `at` is exactly 00:00. A cancellation before p leaves p wholly unused,
// one after p leaves it wholly used.
func SplitAtCancel(p, full domain.Period, at time.Time, loc *time.Location) Split {
	loc = orUTC(loc)
	return split(p, full, calendar.DayStart(calendar.DateOf(at, loc).AddDays(1), loc), loc)
}

// SplitAtChange splits period p (a fee for it prorated against full) at a
// change of plan at `at`. The day of the change counts for the new plan only:
// the old plan's Used runs to the start of that day and its Unused (credited)
// includes it, while the new plan's fee, ProrationFor([at, end), full), counts
// it too.
func SplitAtChange(p, full domain.Period, at time.Time, loc *time.Location) Split {
	loc = orUTC(loc)
	return split(p, full, calendar.DayStart(calendar.DateOf(at, loc), loc), loc)
}

// split cuts p at the day boundary s.
func split(p, full domain.Period, s time.Time, loc *time.Location) Split {
	used := domain.Period{Start: p.Start, End: s}
	if !p.End.IsZero() && p.End.Before(s) {
		used.End = p.End
	}
	unused := domain.Period{Start: p.Start, End: p.End}
	if s.After(p.Start) {
		unused.Start = s
	}
	return Split{Used: ProrationFor(used, full, loc), Unused: ProrationFor(unused, full, loc)}
}

// intersect returns the instants p and q share (empty if none); a zero End is
// unbounded.
func intersect(p, q domain.Period) domain.Period {
	out := p
	if q.Start.After(out.Start) {
		out.Start = q.Start
	}
	if out.End.IsZero() || (!q.End.IsZero() && q.End.Before(out.End)) {
		out.End = q.End
	}
	return out
}
