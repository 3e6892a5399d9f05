package meters

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
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
// buckets start at 00:00 in Location (the customer's zone); From is moved
// back to the start of its bucket.
type SeriesQuery struct {
	Meter       Meter
	Customer    string
	From, To    time.Time
	Granularity Granularity
	Location    *time.Location
}

// Series returns the meter's aggregate per bucket. Each bucket aggregates as
// if it were a period of its own (a max is the bucket's max, a unique count
// counts values unique within the bucket).
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
	loc := q.Location
	if loc == nil {
		loc = time.UTC
	}
	var buckets []domain.Period
	start := bucketStart(q.From, q.Granularity, loc)
	for start.Before(q.To) {
		end := nextBucket(start, q.Granularity, loc)
		buckets = append(buckets, domain.Period{Start: start, End: end})
		if len(buckets) > MaxSeriesBuckets {
			return nil, domain.Invalid("from", "the range holds more than %d %s buckets; narrow it", MaxSeriesBuckets, q.Granularity)
		}
		start = end
	}
	var rows []eventRow
	err := s.db.WithContext(ctx).
		Where("tenant_id = ? AND customer = ? AND event_name = ? AND ts >= ? AND ts < ?",
			tenantID, q.Customer, q.Meter.EventName, buckets[0].Start.UnixMicro(), buckets[len(buckets)-1].End.UnixMicro()).
		Order("ts, id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	events := make([]Event, len(rows))
	for i, r := range rows {
		events[i] = r.toEvent()
	}
	var prior *Event
	if q.Meter.Aggregation.Type == UnitDays {
		if prior, err = s.lastBefore(ctx, tenantID, q.Meter, q.Customer, nil, buckets[0].Start.UnixMicro()); err != nil {
			return nil, err
		}
	}
	out := make([]Point, len(buckets))
	i := 0
	for b, bucket := range buckets {
		j := i
		for j < len(events) && events[j].Timestamp.Before(bucket.End) {
			j++
		}
		w := Window{Period: bucket, Location: loc}
		out[b] = Point{Start: bucket.Start, End: bucket.End, Value: Aggregate(q.Meter, nil, events[i:j], prior, w)}
		for k := i; k < j; k++ {
			if q.Meter.Matches(events[k]) {
				if _, err := events[k].Properties.Decimal(q.Meter.Aggregation.Field); err == nil {
					e := events[k]
					prior = &e
				}
			}
		}
		i = j
	}
	return out, nil
}

func bucketStart(t time.Time, g Granularity, loc *time.Location) time.Time {
	l := t.In(loc)
	if g == Hour {
		return t.Truncate(time.Hour)
	}
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc).UTC()
}

func nextBucket(t time.Time, g Granularity, loc *time.Location) time.Time {
	if g == Hour {
		return t.Add(time.Hour)
	}
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, loc).UTC()
}
