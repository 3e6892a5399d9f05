package meters

import (
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"
)

type rollupKey struct {
	grain    int
	series   string
	customer string
	bucket   int64
}

// deltas are the rollup changes of a set of new events.
type deltas map[rollupKey]*partial

// add folds event e (stored as r) into the deltas of series s, if the
// series counts it. e is r parsed (r.toEvent()), passed in so that an
// event feeding several series is parsed once.
func (d deltas) add(s series, r eventRow, e Event) {
	if !s.meter.Matches(e) || !s.filters.Match(e.Properties) {
		return
	}
	var v *decimal.Decimal
	if s.meter.Aggregation.Type != Count {
		x, err := e.Properties.Decimal(s.meter.Aggregation.Field)
		if err != nil {
			return // ingestion rejects these; old events a new meter cannot read are skipped
		}
		v = &x
	}
	for g, gr := range grains {
		k := rollupKey{g, s.id, r.Customer, floorTo(r.Ts, gr.size)}
		p := d[k]
		if p == nil {
			p = &partial{}
			d[k] = p
		}
		p.add(r.Ts, r.ID, v)
	}
}

// sortedKeys orders keys so that concurrent transactions lock rows in the
// same order (no deadlocks).
func (d deltas) sortedKeys() []rollupKey {
	keys := make([]rollupKey, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.grain != b.grain {
			return a.grain < b.grain
		}
		if a.series != b.series {
			return a.series < b.series
		}
		if a.customer != b.customer {
			return a.customer < b.customer
		}
		return a.bucket < b.bucket
	})
	return keys
}

// apply writes the deltas, grain by grain, merged into the stored rows as
// the dialect does it: in SQL (Postgres, exact numeric arithmetic), or read
// and merged in Go, then written over (SQLite, whose arithmetic on TEXT
// would go through floating point; safe under its single writer).
//
// Every row goes to shard (0 on SQLite).
func (d deltas) apply(tx *gorm.DB, dialect sqlDialect, shard int) error {
	if len(d) == 0 {
		return nil
	}
	keys := d.sortedKeys()
	for g := range grains {
		var mine []rollupKey
		for _, k := range keys {
			if k.grain == g {
				mine = append(mine, k)
			}
		}
		if err := d.applyGrain(tx, dialect, grains[g].table, shard, mine); err != nil {
			return err
		}
	}
	return nil
}

func (d deltas) applyGrain(tx *gorm.DB, dialect sqlDialect, table string, shard int, keys []rollupKey) error {
	if len(keys) == 0 {
		return nil
	}
	if dialect.mergesInGo() {
		if err := d.mergeStored(tx, table, shard, keys); err != nil {
			return err
		}
	}
	if dialect.bindsArrays() {
		return d.upsertRollupsArrays(tx, dialect, table, shard, keys)
	}
	const chunk = 500
	for start := 0; start < len(keys); start += chunk {
		end := min(start+chunk, len(keys))
		var sb strings.Builder
		args := make([]any, 0, (end-start)*11)
		sb.WriteString("INSERT INTO " + table + " (series_id, customer, bucket, shard, event_count, sum_value, max_value, latest_ts, latest_id, latest_value, max_ts) VALUES ")
		for i, k := range keys[start:end] {
			if i > 0 {
				sb.WriteString(",")
			}
			sb.WriteString("(?,?,?,?,?,?,?,?,?,?,?)")
			r := toRollupRow(k, shard, *d[k])
			args = append(args, r.SeriesID, r.Customer, r.Bucket, r.Shard, r.EventCount, r.SumValue, r.MaxValue, r.LatestTs, r.LatestID, r.LatestValue, r.MaxTs)
		}
		sb.WriteString(" ON CONFLICT (series_id, customer, bucket, shard) DO UPDATE SET ")
		sb.WriteString(dialect.mergeSQL(table))
		if err := tx.Exec(sb.String(), args...).Error; err != nil {
			return fmt.Errorf("update rollups: %w", err)
		}
	}
	return nil
}

// mergeStored folds the stored rows of the keys (all of one grain) in
// shard into the deltas (SQLite).
func (d deltas) mergeStored(tx *gorm.DB, table string, shard int, keys []rollupKey) error {
	type group struct{ series, customer string }
	buckets := map[group][]int64{}
	for _, k := range keys {
		g := group{k.series, k.customer}
		buckets[g] = append(buckets[g], k.bucket)
	}
	grain := keys[0].grain
	for g, bs := range buckets {
		for start := 0; start < len(bs); start += 500 {
			end := min(start+500, len(bs))
			var rows []rollupRow
			if err := tx.Table(table).Where("series_id = ? AND customer = ? AND shard = ? AND bucket IN ?", g.series, g.customer, shard, bs[start:end]).Find(&rows).Error; err != nil {
				return fmt.Errorf("read rollups: %w", err)
			}
			for _, r := range rows {
				d[rollupKey{grain, r.SeriesID, r.Customer, r.Bucket}].merge(r.partial())
			}
		}
	}
	return nil
}
