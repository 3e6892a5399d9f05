// Package cycle computes a subscription's billing periods: pure values, no
// database and no clock (callers pass every instant, including "now").
//
// # Periods
//
// Every period is a half-open domain.Period [Start, End): an instant equal to
// End belongs to the next period. Boundaries fall at 00:00 local time in the
// customer's time zone (Cycle.Location, nil meaning UTC), so a month in Berlin
// or New York is not a whole number of UTC days when daylight saving time
// changes inside it. All instants this package returns are in UTC; compare
// them with Equal, and use In(loc) to show them.
//
// "00:00 local" means the first instant of that calendar day. Where a zone
// skips midnight (America/Santiago in September jumps from 00:00 to 01:00) the
// day begins at the transition; where midnight happens twice (America/Havana
// in November falls back from 01:00 to 00:00) the day begins at the first one.
//
// A Cycle has an Interval (day, week, month, quarter, year) and a Kind:
//
//   - calendar (the default): periods follow calendar days, ISO weeks starting
//     Monday 00:00, months, quarters starting January, April, July and October,
//     and years.
//   - anniversary: periods start on the subscription's start day, taken in the
//     customer's zone: the same day of the month for month, quarter and year,
//     the same weekday for week, and every day for day. A start on the 29th to
//     31st clamps to the last day of shorter months and goes back to the anchor
//     day afterwards (Jan 31 → Feb 28 → Mar 31 → Apr 30 → May 31); a start on
//     Feb 29 renews on Feb 28 in common years. Every boundary is computed from
//     the anchor plus n intervals, never by chaining clamped dates.
//
// # First period and proration
//
// The first period runs from Cycle.Start (any instant, possibly mid-day) to
// the next boundary strictly after it; a Start exactly on a boundary gives a
// full first period. A fixed fee for a partial period is prorated against the
// whole period it falls in (Cycle.FullPeriodAround): for calendar cycles the
// calendar period containing Start, for anniversary cycles [boundary − 1
// interval, boundary), which begins at 00:00 on the start day.
//
// Proration counts calendar days in the customer's zone: a period is active on
// every day it touches for any part (Days), and the fee share is days active /
// days in the full period (ProrationFor). A subscription started on Feb 4 in a
// 29-day February is active 26 days, 26/29; one started Mar 12 09:30 on a
// calendar month is active 20 of 31 days; a full period is n/n.
//
// A cancellation or a change of plan splits a period on a day boundary
// (SplitAtCancel, SplitAtChange): the day of a cancellation counts as active
// (it is not credited), while the day of a change of plan counts for the new
// plan only (the old plan credits it, the new plan charges it).
//
// # Catching up
//
// PeriodsEndingBy and PeriodsEndingBetween list the periods that have ended by
// an instant, oldest first, so that an invoice run can close periods it missed.
// Each call returns at most MaxPeriods periods; a caller far behind continues
// from the last End it closed with PeriodsEndingBetween.
package cycle
