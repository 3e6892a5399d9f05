package meters

import (
	"context"
	"fmt"
	"strconv"

	"github.com/shopspring/decimal"
)

// QuantityAsk is one quantity for Quantities: what Quantity(ctx, tenant,
// Meter, Customer, Filters, Window) answers.
type QuantityAsk struct {
	Meter    Meter
	Customer string // external_id
	Filters  Filters
	Window   Window
}

// bulkQuantities is an event store that answers many asks at once (the SQL
// stores); others are asked one at a time.
type bulkQuantities interface {
	quantities(ctx context.Context, tenantID string, asks []QuantityAsk) ([]decimal.Decimal, error)
}

// Quantities answers every ask, in order, each exactly what Quantity
// gives it. On the SQL stores, asks of one meter, filter set and window
// (the customers of one billing period: an invoice run's page) are read
// together, one query per rollup segment for all their customers; an ask
// the rollups cannot serve whole (latest, unique_count and unit_days, a
// window that does not fall on whole minutes) is read alone, as Quantity
// reads it.
func (s *Service) Quantities(ctx context.Context, tenantID string, asks []QuantityAsk) ([]decimal.Decimal, error) {
	if b, ok := s.events.(bulkQuantities); ok {
		return b.quantities(ctx, tenantID, asks)
	}
	out := make([]decimal.Decimal, len(asks))
	all := make([]int, len(asks))
	for i := range all {
		all[i] = i
	}
	return out, answerEach(ctx, s.events, tenantID, asks, all, out)
}

// answerEach answers the asks at idx through Quantity, into out.
func answerEach(ctx context.Context, es EventStore, tenantID string, asks []QuantityAsk, idx []int, out []decimal.Decimal) error {
	for _, i := range idx {
		a := asks[i]
		q, err := es.Quantity(ctx, tenantID, a.Meter, a.Customer, a.Filters, a.Window)
		if err != nil {
			return err
		}
		out[i] = q
	}
	return nil
}

// askGroup is the asks sharing a meter, a filter set and a window.
type askGroup struct {
	first      QuantityAsk
	start, end int64
	idx        []int
}

// groupAsks groups the asks by meter, filter set and window, in the order
// each group first appears.
func groupAsks(asks []QuantityAsk) []*askGroup {
	by := map[string]*askGroup{}
	var out []*askGroup
	for i, a := range asks {
		start, end := a.Window.Period.Start.UnixMicro(), a.Window.End().UnixMicro()
		k := a.Meter.ID + "\x00" + filtersKey(a.Filters) + "\x00" + strconv.FormatInt(start, 10) + "\x00" + strconv.FormatInt(end, 10)
		g, ok := by[k]
		if !ok {
			g = &askGroup{first: a, start: start, end: end}
			by[k] = g
			out = append(out, g)
		}
		g.idx = append(g.idx, i)
	}
	return out
}

// wholeRollups reports whether rollups alone serve [start, end) of the
// meter: a count, sum or max over whole minutes.
func wholeRollups(m Meter, start, end int64) bool {
	t := m.Aggregation.Type
	if (t != Count && t != Sum && t != Max) || end <= start {
		return false
	}
	for _, seg := range cover(start, end, 0) {
		if seg.grain < 0 {
			return false
		}
	}
	return true
}

// quantities serves each group of two or more asks that rollups serve
// whole from grouped rollup reads, and every other ask through Quantity.
func (s *sqlStore) quantities(ctx context.Context, tenantID string, asks []QuantityAsk) ([]decimal.Decimal, error) {
	out := make([]decimal.Decimal, len(asks))
	for _, g := range groupAsks(asks) {
		if len(g.idx) < 2 || !wholeRollups(g.first.Meter, g.start, g.end) {
			if err := answerEach(ctx, s, tenantID, asks, g.idx, out); err != nil {
				return nil, err
			}
			continue
		}
		id, err := s.seriesID(ctx, tenantID, g.first.Meter, g.first.Filters)
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		var custs []string
		for _, i := range g.idx {
			if c := asks[i].Customer; !seen[c] {
				seen[c] = true
				custs = append(custs, c)
			}
		}
		parts := make(map[string]*partial, len(custs))
		for _, seg := range cover(g.start, g.end, 0) {
			if err := s.rollupSegments(ctx, grains[seg.grain].table, id, custs, seg.start, seg.end, parts); err != nil {
				return nil, fmt.Errorf("read rollups of %s: %w", g.first.Meter.Key, err)
			}
		}
		for _, i := range g.idx {
			if p := parts[asks[i].Customer]; p != nil {
				out[i] = p.value(g.first.Meter.Aggregation.Type)
			} else {
				out[i] = (partial{}).value(g.first.Meter.Aggregation.Type)
			}
		}
	}
	return out, nil
}

// customersPerQuery bounds the customers of one grouped rollup read.
const customersPerQuery = 500

// rollupSegments merges into parts, per customer, the series' rollup rows
// (every bucket and shard) of one grain in [start, end) — rollupSegment
// for many customers at once, without latest (wholeRollups excludes it).
func (s *sqlStore) rollupSegments(ctx context.Context, table, seriesID string, custs []string, start, end int64, parts map[string]*partial) error {
	const where = "series_id = ? AND customer IN ? AND bucket >= ? AND bucket < ?"
	into := func(c string, p partial) {
		if parts[c] == nil {
			parts[c] = &partial{}
		}
		parts[c].merge(p)
	}
	for from := 0; from < len(custs); from += customersPerQuery {
		chunk := custs[from:min(from+customersPerQuery, len(custs))]
		if s.d.mergesInGo() {
			var rows []rollupRow
			if err := s.read(ctx).Table(table).Where(where, seriesID, chunk, start, end).Find(&rows).Error; err != nil {
				return err
			}
			for _, r := range rows {
				into(r.Customer, r.partial())
			}
			continue
		}
		var rows []struct {
			Customer string
			N        int64
			S        decimal.Decimal
			M        decimal.NullDecimal
			T        int64
		}
		if err := s.read(ctx).Raw("SELECT customer, sum(event_count) AS n, coalesce(sum(sum_value), 0) AS s, max(max_value) AS m, coalesce(max(max_ts), 0) AS t FROM "+table+
			" WHERE "+where+" GROUP BY customer", seriesID, chunk, start, end).Scan(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			p := partial{count: r.N, sum: r.S, maxTs: r.T}
			if r.M.Valid {
				v := r.M.Decimal
				p.max = &v
			}
			into(r.Customer, p)
		}
	}
	return nil
}
