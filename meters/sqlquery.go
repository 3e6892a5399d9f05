package meters

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
)

// Quantity serves count, sum, max and latest from the rollups of the
// (meter, filters) series: hourly rows for the whole UTC hours of the
// window, minute rows for the whole minutes at its ends, raw events only
// for the partial minutes, so a month of millions of events costs a few
// hundred rows. A series no price has created yet is created (and
// backfilled) on first use. unique_count and unit_days read the window's
// raw events through the (tenant, customer, event_name, ts) index. Every
// path compares values as JSON values (Value) and breaks latest ties by id
// bytes, so all agree.
func (s *sqlStore) Quantity(ctx context.Context, tenantID string, m Meter, customer string, extra Filters, w Window) (decimal.Decimal, error) {
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

// Series serves count, sum, max and latest from the rollups of the meter's
// series, every bucket's reads in one statement on Postgres (a month of
// days of a customer with millions of events reads a few hundred rollup
// rows, not its events); unique_count and unit_days read the buckets' raw
// events at once and aggregate them in Go (AggregateBuckets), with the last
// counted event before them for unit_days. Both give what Quantity gives
// over each bucket.
func (s *sqlStore) Series(ctx context.Context, tenantID string, m Meter, customer string, buckets []domain.Period, loc *time.Location) ([]decimal.Decimal, error) {
	if len(buckets) == 0 {
		return nil, nil
	}
	if m.Aggregation.Type.rollable() {
		id, err := s.lookupSeries(ctx, tenantID, m, nil, false)
		if err != nil {
			return nil, err
		}
		if id != "" { // else no price has made the series yet: a read does not write it
			windows := make([][2]int64, len(buckets))
			for i, b := range buckets {
				windows[i] = [2]int64{b.Start.UnixMicro(), b.End.UnixMicro()}
			}
			return s.fromRollupsMany(ctx, tenantID, m, customer, nil, id, windows)
		}
	}
	start, end := buckets[0].Start.UnixMicro(), buckets[len(buckets)-1].End.UnixMicro()
	events, err := s.rawEvents(ctx, tenantID, m, customer, start, end)
	if err != nil {
		return nil, err
	}
	var prior *Event
	if m.Aggregation.Type == UnitDays {
		if prior, err = s.lastBefore(ctx, tenantID, m, customer, nil, start); err != nil {
			return nil, err
		}
	}
	return AggregateBuckets(m, events, prior, buckets, loc), nil
}

// ListEvents pages by (ts, id) descending through the (tenant_id, ts, id)
// index.
func (s *sqlStore) ListEvents(ctx context.Context, tenantID string, q EventQuery, after *EventKey, limit int) ([]Event, error) {
	db := s.read(ctx).Where("tenant_id = ?", tenantID)
	if q.Customer != "" {
		db = db.Where("customer = ?", q.Customer)
	}
	if q.EventName != "" {
		db = db.Where("event_name = ?", q.EventName)
	}
	if q.From != nil {
		db = db.Where("ts >= ?", q.From.UnixMicro())
	}
	if q.To != nil {
		db = db.Where("ts < ?", q.To.UnixMicro())
	}
	if after != nil {
		ts := after.Timestamp.UnixMicro()
		db = db.Where("((ts < ?) OR (ts = ? AND id < ?))", ts, ts, after.ID)
	}
	var rows []eventRow
	if err := db.Order("ts DESC, id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Event, len(rows))
	for i, r := range rows {
		out[i] = r.toEvent()
	}
	return out, nil
}

// fromRollups aggregates [start, end) from the series' rollups: hourly
// rows for its whole hours, minute rows for the whole minutes at its ends,
// raw events only for the partial minutes (see cover).
func (s *sqlStore) fromRollups(ctx context.Context, tenantID string, m Meter, customer string, extra Filters, seriesID string, start, end int64) (decimal.Decimal, error) {
	out, err := s.fromRollupsMany(ctx, tenantID, m, customer, extra, seriesID, [][2]int64{{start, end}})
	if err != nil {
		return decimal.Zero, err
	}
	return out[0], nil
}

// fromRollupsMany is fromRollups of each window [w[0], w[1]), with every
// window's rollup reads in one statement on Postgres (readProbes).
func (s *sqlStore) fromRollupsMany(ctx context.Context, tenantID string, m Meter, customer string, extra Filters, seriesID string, windows [][2]int64) ([]decimal.Decimal, error) {
	segs := make([][]segment, len(windows))
	at := make([][]int, len(windows))
	var list []probe
	for i, w := range windows {
		segs[i] = cover(w[0], w[1], 0)
		l, a := probes(segs[i])
		for j := range a {
			if a[j] >= 0 {
				a[j] += len(list)
			}
		}
		list, at[i] = append(list, l...), a
	}
	var read []partial
	if !s.d.mergesInGo() && m.Aggregation.Type != Latest {
		var err error
		if read, err = s.readProbes(ctx, seriesID, customer, list); err != nil {
			return nil, fmt.Errorf("read rollups of %s: %w", m.Key, err)
		}
	}
	probed := func(k int) (partial, error) {
		if read != nil {
			return read[k], nil
		}
		p := list[k]
		return s.rollupSegment(ctx, m, p.table, seriesID, customer, p.start, p.end)
	}
	out := make([]decimal.Decimal, len(windows))
	for wi := range windows {
		var total partial
		for i, seg := range segs[wi] {
			if k := at[wi][i]; k >= 0 {
				p, err := probed(k)
				if err != nil {
					return nil, fmt.Errorf("read rollups of %s: %w", m.Key, err)
				}
				// A raw segment starting on a minute (a live preview ends at
				// now, inside a minute): the minute's rollup is the
				// segment's when every event it counts lies before the end.
				if seg.grain >= 0 || p.count == 0 || p.maxTs < seg.end {
					total.merge(p)
					continue
				}
			}
			if err := s.addRaw(ctx, &total, tenantID, m, customer, extra, seg); err != nil {
				return nil, err
			}
		}
		out[wi] = total.value(m.Aggregation.Type)
	}
	return out, nil
}

// addRaw folds the raw events of segment seg that the meter and extra
// count into total.
func (s *sqlStore) addRaw(ctx context.Context, total *partial, tenantID string, m Meter, customer string, extra Filters, seg segment) error {
	events, err := s.rawEvents(ctx, tenantID, m, customer, seg.start, seg.end)
	if err != nil {
		return err
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
	return nil
}

// rawEvents reads the customer's events of the meter's event name in
// [start, end) microseconds.
func (s *sqlStore) rawEvents(ctx context.Context, tenantID string, m Meter, customer string, start, end int64) ([]Event, error) {
	var rows []eventRow
	err := s.read(ctx).
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
func (s *sqlStore) lastBefore(ctx context.Context, tenantID string, m Meter, customer string, extra Filters, ts int64) (*Event, error) {
	const pageSize = 500
	cursorTs, cursorID := ts, ""
	for {
		var rows []eventRow
		id := s.d.byteID("id")
		q := s.read(ctx).Where("tenant_id = ? AND customer = ? AND event_name = ?", tenantID, customer, m.EventName)
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

// rollupSegment is the partial of the series' rollup rows (every bucket
// and shard) of one grain in [start, end). Where the database adds
// decimals exactly (Postgres numeric), it merges them in SQL and returns
// one row however many hours and shards the segment spans: count and sum
// added, the greatest max, and, for latest, the row of the greatest
// (latest_ts, latest_id by bytes). Elsewhere (SQLite, TEXT decimals) the
// rows are read and merged in Go.
func (s *sqlStore) rollupSegment(ctx context.Context, m Meter, table, seriesID, customer string, start, end int64) (partial, error) {
	const where = "series_id = ? AND customer = ? AND bucket >= ? AND bucket < ?"
	var p partial
	if s.d.mergesInGo() {
		var rows []rollupRow
		if err := s.read(ctx).Table(table).Where(where, seriesID, customer, start, end).Find(&rows).Error; err != nil {
			return p, err
		}
		for _, r := range rows {
			p.merge(r.partial())
		}
		return p, nil
	}
	var agg struct {
		N int64
		S decimal.Decimal
		M decimal.NullDecimal
		T int64
	}
	if err := s.read(ctx).Raw("SELECT coalesce(sum(event_count), 0) AS n, coalesce(sum(sum_value), 0) AS s, max(max_value) AS m, coalesce(max(max_ts), 0) AS t FROM "+table+" WHERE "+where,
		seriesID, customer, start, end).Scan(&agg).Error; err != nil {
		return p, err
	}
	p.count, p.sum, p.maxTs = agg.N, agg.S, agg.T
	if agg.M.Valid {
		v := agg.M.Decimal
		p.max = &v
	}
	if m.Aggregation.Type != Latest {
		return p, nil
	}
	var rows []rollupRow
	if err := s.read(ctx).Table(table).Where(where+" AND latest_ts IS NOT NULL AND latest_id IS NOT NULL", seriesID, customer, start, end).
		Order("latest_ts DESC, " + s.d.byteID("latest_id") + " DESC").Limit(1).Find(&rows).Error; err != nil {
		return p, err
	}
	if len(rows) == 1 {
		l := rows[0].partial()
		p.hasLatest, p.latestTs, p.latestID, p.latestVal = l.hasLatest, l.latestTs, l.latestID, l.latestVal
	}
	return p, nil
}
