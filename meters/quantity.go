package meters

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"
)

// Quantity aggregates the meter's events of one customer (by external_id)
// over the window, narrowed by extra filters (a price's). It reads the
// period's events of that customer and event name through the
// (tenant, customer, event_name, ts) index.
func (s *Service) Quantity(ctx context.Context, tenantID string, m Meter, customer string, extra Filters, w Window) (decimal.Decimal, error) {
	end := w.End()
	var rows []eventRow
	err := s.db.WithContext(ctx).
		Where("tenant_id = ? AND customer = ? AND event_name = ? AND ts >= ? AND ts < ?",
			tenantID, customer, m.EventName, w.Period.Start.UnixMicro(), end.UnixMicro()).
		Find(&rows).Error
	if err != nil {
		return decimal.Zero, fmt.Errorf("read events of %s: %w", m.Key, err)
	}
	events := make([]Event, len(rows))
	for i, r := range rows {
		events[i] = r.toEvent()
	}
	var prior *Event
	if m.Aggregation.Type == UnitDays {
		prior, err = s.lastBefore(ctx, tenantID, m, customer, extra, w.Period.Start.UnixMicro())
		if err != nil {
			return decimal.Zero, err
		}
	}
	return Aggregate(m, extra, events, prior, w), nil
}

// lastBefore finds the latest event the meter counts before ts, scanning
// back in pages.
func (s *Service) lastBefore(ctx context.Context, tenantID string, m Meter, customer string, extra Filters, ts int64) (*Event, error) {
	const pageSize = 500
	cursorTs, cursorID := ts, ""
	for {
		var rows []eventRow
		q := s.db.WithContext(ctx).Where("tenant_id = ? AND customer = ? AND event_name = ?", tenantID, customer, m.EventName)
		if cursorID == "" {
			q = q.Where("ts < ?", cursorTs)
		} else {
			q = q.Where("((ts < ?) OR (ts = ? AND id < ?))", cursorTs, cursorTs, cursorID)
		}
		if err := q.Order("ts DESC, id DESC").Limit(pageSize).Find(&rows).Error; err != nil {
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
