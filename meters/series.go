package meters

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/calendar"
	"github.com/tallyhq/tally/domain"
)

// Granularity is the bucket size of a usage time series.
type Granularity string

const (
	Hour Granularity = "hour"
	Day  Granularity = "day"
)

// MaxSeriesBuckets bounds one time series request.
const MaxSeriesBuckets = 2000

// Point is one bucket of a usage time series: the meter's aggregate over
// [Start, End).
type Point struct {
	Start, End time.Time
	Value      decimal.Decimal
}

// SeriesQuery asks for a meter's usage by one customer in buckets. Day
// buckets are the calendar days of Location (the customer's zone; nil means
// UTC), as package calendar defines them: each begins at the day's first
// instant (the transition, where midnight is skipped) and lasts as long as
// the day really does (23, 24, 25 or 23.5 hours). Hour buckets are UTC
// hours. From is moved back to the start of its bucket; the last bucket is
// whole even when To falls inside it.
type SeriesQuery struct {
	Meter       Meter
	Customer    string
	From, To    time.Time
	Granularity Granularity
	Location    *time.Location
}

// Series returns the meter's aggregate per bucket. Each bucket aggregates as
// if it were a period of its own (a max is the bucket's max, a unique count
// counts values unique within the bucket); unit_days carries the last value
// into the next bucket, and from before the first.
func (s *Service) Series(ctx context.Context, tenantID string, q SeriesQuery) ([]Point, error) {
	var p domain.Problems
	if q.Granularity != Hour && q.Granularity != Day {
		p.Add("granularity", "must be hour or day")
	}
	if !q.From.Before(q.To) {
		p.Add("to", "must be after from")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	buckets, err := SeriesBuckets(q)
	if err != nil {
		return nil, err
	}
	values, err := s.events.Series(ctx, tenantID, q.Meter, q.Customer, buckets, q.Location)
	if err != nil {
		return nil, err
	}
	if len(values) != len(buckets) {
		return nil, fmt.Errorf("event store gave %d values for %d buckets", len(values), len(buckets))
	}
	out := make([]Point, len(buckets))
	for b, bucket := range buckets {
		out[b] = Point{Start: bucket.Start, End: bucket.End, Value: values[b]}
	}
	return out, nil
}

// AggregateBuckets computes the meter's aggregate in each of buckets
// (contiguous and ascending) from events, each bucket as a window of its own
// in loc (see Aggregate). events must hold every event of the customer with
// the meter's event name in [buckets[0].Start, last bucket's End), in any
// order; prior is, for unit_days, the last event the meter counts before
// the first bucket (nil if none), and the last value of each bucket carries
// into the next. A store with no faster way answers Series with it.
func AggregateBuckets(m Meter, events []Event, prior *Event, buckets []domain.Period, loc *time.Location) []decimal.Decimal {
	events = append([]Event(nil), events...)
	// In (timestamp, id) order by bytes, so that the value carried into the
	// next bucket is the latest's whatever the database collation.
	sort.Slice(events, func(i, j int) bool { return later(events[j], events[i]) })
	out := make([]decimal.Decimal, len(buckets))
	i := 0
	for b, bucket := range buckets {
		for i < len(events) && events[i].Timestamp.Before(bucket.Start) {
			i++ // before the first bucket: not the caller's to pass
		}
		j := i
		for j < len(events) && events[j].Timestamp.Before(bucket.End) {
			j++
		}
		w := Window{Period: bucket, Location: loc}
		out[b] = Aggregate(m, nil, events[i:j], prior, w)
		for k := i; k < j; k++ {
			if m.Matches(events[k]) {
				if _, err := events[k].Properties.Decimal(m.Aggregation.Field); err == nil {
					e := events[k]
					prior = &e
				}
			}
		}
		i = j
	}
	return out
}

// SeriesBuckets cuts the query's range into whole buckets: UTC hours, or the
// calendar days of Location (package calendar: a day whose midnight is
// skipped, America/Santiago in September, begins at the transition, and
// days last as long as they really do). From moves back to the start of its
// bucket, and the last bucket is whole even if To falls inside it. More
// than MaxSeriesBuckets buckets is a validation error on "from".
func SeriesBuckets(q SeriesQuery) ([]domain.Period, error) {
	tooMany := domain.Invalid("from", "the range holds more than %d %s buckets; narrow it", MaxSeriesBuckets, q.Granularity)
	if q.Granularity == Hour {
		start := q.From.UTC().Truncate(time.Hour)
		if q.To.Sub(start) > time.Duration(MaxSeriesBuckets)*time.Hour {
			return nil, tooMany
		}
		var out []domain.Period
		for ; start.Before(q.To); start = start.Add(time.Hour) {
			out = append(out, domain.Period{Start: start, End: start.Add(time.Hour)})
		}
		return out, nil
	}
	r := domain.Period{
		Start: calendar.StartOfDay(q.From, q.Location),
		End:   calendar.DayStart(calendar.DateOf(q.To.Add(-time.Nanosecond), q.Location).AddDays(1), q.Location),
	}
	if calendar.Days(r, q.Location) > MaxSeriesBuckets {
		return nil, tooMany
	}
	return calendar.DayPeriods(r, q.Location), nil
}
