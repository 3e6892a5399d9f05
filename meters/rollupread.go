package meters

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// A probe is one rollup read of a window: the rows of table with buckets in
// [start, end), merged.
type probe struct {
	table      string
	start, end int64
}

// probes lists the rollup reads fromRollups makes for the segments of a
// window, in order: one per grain segment, and for a raw segment starting
// on a minute, that minute's row (served instead of the raw events when
// every event it counts lies before the segment's end). at[i] is the index
// in the list of segment i's read, -1 for none.
func probes(segs []segment) (list []probe, at []int) {
	minute := grains[len(grains)-1]
	at = make([]int, len(segs))
	for i, seg := range segs {
		at[i] = -1
		switch {
		case seg.grain >= 0:
			at[i] = len(list)
			list = append(list, probe{grains[seg.grain].table, seg.start, seg.end})
		case seg.start == floorTo(seg.start, minute.size):
			at[i] = len(list)
			list = append(list, probe{minute.table, seg.start, seg.start + 1})
		}
	}
	return list, at
}

// readProbes answers every probe of a window in one statement (Postgres:
// UNION ALL of the probes, merged in SQL with exact numeric arithmetic,
// one row per probe that has rows), instead of a round trip per segment:
// a live preview or balance then costs one query per usage price. Not for
// latest, whose winning row each probe reads apart (rollupSegment).
func (s *sqlStore) readProbes(ctx context.Context, seriesID, customer string, list []probe) ([]partial, error) {
	out := make([]partial, len(list))
	if len(list) == 0 {
		return out, nil
	}
	var sb strings.Builder
	args := make([]any, 0, len(list)*4)
	sb.WriteString("SELECT k, coalesce(sum(event_count), 0) AS n, coalesce(sum(sum_value), 0) AS s, max(max_value) AS m, coalesce(max(max_ts), 0) AS t FROM (")
	for i, p := range list {
		if i > 0 {
			sb.WriteString(" UNION ALL ")
		}
		sb.WriteString("SELECT " + strconv.Itoa(i) + " AS k, event_count, sum_value, max_value, max_ts FROM " + p.table +
			" WHERE series_id = ? AND customer = ? AND bucket >= ? AND bucket < ?")
		args = append(args, seriesID, customer, p.start, p.end)
	}
	sb.WriteString(") x GROUP BY k")
	var rows []struct {
		K int
		N int64
		S decimal.Decimal
		M decimal.NullDecimal
		T int64
	}
	if err := s.read(ctx).Raw(sb.String(), args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	for _, r := range rows {
		if r.K < 0 || r.K >= len(out) {
			return nil, fmt.Errorf("rollup read answered probe %d of %d", r.K, len(out))
		}
		p := partial{count: r.N, sum: r.S, maxTs: r.T}
		if r.M.Valid {
			v := r.M.Decimal
			p.max = &v
		}
		out[r.K] = p
	}
	return out, nil
}
