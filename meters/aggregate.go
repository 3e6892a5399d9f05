package meters

import (
	"sort"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/calendar"
	"github.com/tallyhq/tally/domain"
)

// Window is what a quantity is aggregated over: the billing period, the
// instant usage is counted up to (Until; zero = the period's end), and the
// customer's time zone (unit_days counts the customer's calendar days).
type Window struct {
	Period   domain.Period
	Until    time.Time
	Location *time.Location
}

// End is the instant usage stops counting: the period's end, or Until if
// earlier.
func (w Window) End() time.Time {
	if !w.Until.IsZero() && w.Until.Before(w.Period.End) {
		return w.Until
	}
	return w.Period.End
}

func (w Window) loc() *time.Location {
	if w.Location == nil {
		return time.UTC
	}
	return w.Location
}

// Aggregate computes a meter's quantity from events. events must hold every
// event of the customer that the meter and extra (a price's filters) would
// count with a timestamp in [Period.Start, End()); prior is, for unit_days
// only, the last such event before Period.Start (nil if none). Events that
// fail the meter's or extra's filters are skipped here too, so callers may
// pass a superset. Values that do not parse are skipped (ingestion already
// rejected them; a meter created later may find old ones).
func Aggregate(m Meter, extra Filters, events []Event, prior *Event, w Window) decimal.Decimal {
	end := w.End()
	in := make([]Event, 0, len(events))
	for _, e := range events {
		if e.Timestamp.Before(w.Period.Start) || !e.Timestamp.Before(end) || !m.Matches(e) || !extra.Match(e.Properties) {
			continue
		}
		in = append(in, e)
	}
	switch m.Aggregation.Type {
	case Count:
		return decimal.NewFromInt(int64(len(in)))
	case Sum:
		total := decimal.Zero
		for _, e := range in {
			if v, err := e.Properties.Decimal(m.Aggregation.Field); err == nil {
				total = total.Add(v)
			}
		}
		return total
	case Max:
		var best *decimal.Decimal
		for _, e := range in {
			if v, err := e.Properties.Decimal(m.Aggregation.Field); err == nil && (best == nil || v.GreaterThan(*best)) {
				best = &v
			}
		}
		if best == nil {
			return decimal.Zero
		}
		return *best
	case Latest:
		var last *Event
		var val decimal.Decimal
		for i := range in {
			v, err := in[i].Properties.Decimal(m.Aggregation.Field)
			if err != nil {
				continue
			}
			if last == nil || later(in[i], *last) {
				last, val = &in[i], v
			}
		}
		if last == nil {
			return decimal.Zero
		}
		return val
	case UniqueCount:
		seen := map[Value]bool{}
		for _, e := range in {
			if v, ok := e.Properties.Value(m.Aggregation.Field); ok {
				seen[v] = true
			}
		}
		return decimal.NewFromInt(int64(len(seen)))
	case UnitDays:
		return unitDays(m, in, prior, w)
	}
	return decimal.Zero
}

// unitDays sums, over each calendar day in the window's Location (see
// package calendar: a day begins at its first instant, even where midnight
// is skipped, and lasts 23, 24, 25 or 23.5 hours) that has begun before
// End(), the largest value seen that day, or else the last value seen before
// it (carried from any earlier event, even before the period). A day with no
// value yet counts zero. The first and last days count whole even when the
// window starts or ends inside them; only events inside the window are seen.
func unitDays(m Meter, in []Event, prior *Event, w Window) decimal.Decimal {
	type point struct {
		e Event
		v decimal.Decimal
	}
	pts := make([]point, 0, len(in))
	for _, e := range in {
		if v, err := e.Properties.Decimal(m.Aggregation.Field); err == nil {
			pts = append(pts, point{e, v})
		}
	}
	sort.Slice(pts, func(i, j int) bool { return later(pts[j].e, pts[i].e) })
	var carry *decimal.Decimal
	if prior != nil {
		if v, err := prior.Properties.Decimal(m.Aggregation.Field); err == nil {
			carry = &v
		}
	}
	total := decimal.Zero
	i := 0
	for _, day := range calendar.DayPeriods(domain.Period{Start: w.Period.Start, End: w.End()}, w.loc()) {
		var dayMax *decimal.Decimal
		for i < len(pts) && pts[i].e.Timestamp.Before(day.End) {
			v := pts[i].v
			if dayMax == nil || v.GreaterThan(*dayMax) {
				dayMax = &v
			}
			carry = &v
			i++
		}
		switch {
		case dayMax != nil:
			total = total.Add(*dayMax)
		case carry != nil:
			total = total.Add(*carry)
		}
	}
	return total
}
