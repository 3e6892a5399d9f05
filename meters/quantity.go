package meters

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/store"
	"gorm.io/gorm"
)

// Quantity aggregates the meter's events of one customer (by external_id)
// over the window, narrowed by extra filters (a price's).
//
// count, sum, max and latest read the rollups of the (meter, filters)
// series: hourly rows for the whole UTC hours of the window, minute rows
// for the whole minutes at its ends, raw events only for the partial
// minutes, so a month of millions of events costs a few hundred rows. A
// series no price has created yet is created (and backfilled) on first use.
// unique_count and unit_days read the window's raw events through the
// (tenant, customer, event_name, ts) index. Every path compares values as
// JSON values (Value) and breaks latest ties by id bytes, so all agree.
func (s *Service) Quantity(ctx context.Context, tenantID string, m Meter, customer string, extra Filters, w Window) (decimal.Decimal, error) {
	start, end := w.Period.Start.UnixMicro(), w.End().UnixMicro()
	if end <= start {
		return decimal.Zero, nil
	}
	if m.Aggregation.Type.rollable() {
		id, err := s.seriesID(ctx, tenantID, m, extra)
		if err != nil {
			return decimal.Zero, err
		}
		return s.fromRollups(ctx, tenantID, m, customer, extra, id, start, end)
	}
	events, err := s.rawEvents(ctx, tenantID, m, customer, start, end)
	if err != nil {
		return decimal.Zero, err
	}
	var prior *Event
	if m.Aggregation.Type == UnitDays {
		prior, err = s.lastBefore(ctx, tenantID, m, customer, extra, start)
		if err != nil {
			return decimal.Zero, err
		}
	}
	return Aggregate(m, extra, events, prior, w), nil
}

// seriesID finds the rollup series of the meter and filters, creating and
// backfilling it when no price has yet (as after migration 0011, which
// dropped the series built before values compared as JSON values).
func (s *Service) seriesID(ctx context.Context, tenantID string, m Meter, extra Filters) (string, error) {
	find := func() (string, error) {
		var sr seriesRow
		err := s.db.WithContext(ctx).Where("tenant_id = ? AND meter_id = ? AND filters_key = ?", tenantID, m.ID, filtersKey(extra)).Take(&sr).Error
		if err != nil && !store.IsNotFound(err) {
			return "", fmt.Errorf("find rollup series: %w", err)
		}
		return sr.ID, nil
	}
	id, err := find()
	if err != nil || id != "" {
		return id, err
	}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		return EnsureSeries(tx, s.db.Dialect, s.clock.Now(ctx), m, extra)
	})
	if err != nil {
		return "", err
	}
	if id, err = find(); err == nil && id == "" {
		err = fmt.Errorf("rollup series of %s was not created", m.Key)
	}
	return id, err
}

// fromRollups aggregates [start, end) from the series' rollups: hourly
// rows for its whole hours, minute rows for the whole minutes at its ends,
// raw events only for the partial minutes (see cover).
func (s *Service) fromRollups(ctx context.Context, tenantID string, m Meter, customer string, extra Filters, seriesID string, start, end int64) (decimal.Decimal, error) {
	var total partial
	for _, seg := range cover(start, end, 0) {
		if seg.grain >= 0 {
			var rows []rollupRow
			if err := s.db.WithContext(ctx).Table(grains[seg.grain].table).
				Where("series_id = ? AND customer = ? AND bucket >= ? AND bucket < ?", seriesID, customer, seg.start, seg.end).
				Find(&rows).Error; err != nil {
				return decimal.Zero, fmt.Errorf("read rollups of %s: %w", m.Key, err)
			}
			for _, r := range rows {
				total.merge(r.partial())
			}
			continue
		}
		events, err := s.rawEvents(ctx, tenantID, m, customer, seg.start, seg.end)
		if err != nil {
			return decimal.Zero, err
		}
		for _, e := range events {
			if !m.Matches(e) || !extra.Match(e.Properties) {
				continue
			}
			var v *decimal.Decimal
			if m.Aggregation.Type != Count {
				x, err := e.Properties.Decimal(m.Aggregation.Field)
				if err != nil {
					continue
				}
				v = &x
			}
			total.add(e.Timestamp.UnixMicro(), e.ID, v)
		}
	}
	return total.value(m.Aggregation.Type), nil
}

// rawEvents reads the customer's events of the meter's event name in
// [start, end) microseconds.
func (s *Service) rawEvents(ctx context.Context, tenantID string, m Meter, customer string, start, end int64) ([]Event, error) {
	var rows []eventRow
	err := s.db.WithContext(ctx).
		Where("tenant_id = ? AND customer = ? AND event_name = ? AND ts >= ? AND ts < ?", tenantID, customer, m.EventName, start, end).
		Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("read events of %s: %w", m.Key, err)
	}
	events := make([]Event, len(rows))
	for i, r := range rows {
		events[i] = r.toEvent()
	}
	return events, nil
}

// lastBefore finds the latest event the meter counts before ts, scanning
// back in pages.
func (s *Service) lastBefore(ctx context.Context, tenantID string, m Meter, customer string, extra Filters, ts int64) (*Event, error) {
	const pageSize = 500
	cursorTs, cursorID := ts, ""
	for {
		var rows []eventRow
		id := byteID(s.db.Dialect, "id")
		q := s.db.WithContext(ctx).Where("tenant_id = ? AND customer = ? AND event_name = ?", tenantID, customer, m.EventName)
		if cursorID == "" {
			q = q.Where("ts < ?", cursorTs)
		} else {
			q = q.Where("((ts < ?) OR (ts = ? AND "+id+" < ?))", cursorTs, cursorTs, cursorID)
		}
		if err := q.Order("ts DESC, " + id + " DESC").Limit(pageSize).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("read earlier events of %s: %w", m.Key, err)
		}
		for _, r := range rows {
			e := r.toEvent()
			if m.Matches(e) && extra.Match(e.Properties) {
				if _, err := e.Properties.Decimal(m.Aggregation.Field); err == nil {
					return &e, nil
				}
			}
		}
		if len(rows) < pageSize {
			return nil, nil
		}
		last := rows[len(rows)-1]
		cursorTs, cursorID = last.Ts, last.ID
	}
}
