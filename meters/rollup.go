package meters

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
	"gorm.io/gorm"
)

// A rollup series is one meter narrowed by one set of price filters. Its
// rows are kept per customer and UTC hour at ingestion, in the same
// transaction that stores the events, so they are never behind. A series is
// created (and backfilled from the stored events) when a price first needs
// it. On Postgres, ingestion holds a share lock on the meters it feeds and
// series creation an exclusive one, so no event can slip between a
// backfill and the series becoming visible; SQLite has one writer anyway.

type seriesRow struct {
	ID         string `gorm:"primaryKey"`
	TenantID   string
	MeterID    string
	FiltersKey string
	CreatedAt  time.Time
}

func (seriesRow) TableName() string { return "rollup_series" }

type rollupRow struct {
	SeriesID    string `gorm:"primaryKey"`
	Customer    string `gorm:"primaryKey"`
	Bucket      int64  `gorm:"primaryKey"`
	EventCount  int64
	SumValue    decimal.Decimal
	MaxValue    decimal.NullDecimal
	LatestTs    *int64
	LatestID    *string
	LatestValue decimal.NullDecimal
}

func (rollupRow) TableName() string { return "usage_rollups" }

func (r rollupRow) partial() partial {
	p := partial{count: r.EventCount, sum: r.SumValue}
	if r.MaxValue.Valid {
		v := r.MaxValue.Decimal
		p.max = &v
	}
	if r.LatestTs != nil && r.LatestID != nil {
		p.hasLatest, p.latestTs, p.latestID = true, *r.LatestTs, *r.LatestID
		if r.LatestValue.Valid {
			v := r.LatestValue.Decimal
			p.latestVal = &v
		}
	}
	return p
}

// EnsureSeries makes sure a rollup series exists for the meter and filters
// (a usage price's), creating and backfilling it if needed, inside tx.
// Aggregations that rollups cannot serve need none.
func EnsureSeries(tx *gorm.DB, dialect store.Dialect, now time.Time, m Meter, filters Filters) error {
	if !m.Aggregation.Type.rollable() {
		return nil
	}
	if dialect == store.Postgres {
		var id string
		if err := tx.Raw("SELECT id FROM meters WHERE id = ? FOR UPDATE", m.ID).Scan(&id).Error; err != nil {
			return fmt.Errorf("lock meter: %w", err)
		}
	}
	key := filtersKey(filters)
	var ids []string
	if err := tx.Raw(`INSERT INTO rollup_series (id, tenant_id, meter_id, filters_key, created_at) VALUES (?,?,?,?,?)
		ON CONFLICT (tenant_id, meter_id, filters_key) DO NOTHING RETURNING id`,
		domain.NewID("rls"), m.TenantID, m.ID, key, now).Scan(&ids).Error; err != nil {
		return fmt.Errorf("create rollup series: %w", err)
	}
	if len(ids) == 0 {
		return nil // it existed
	}
	return backfill(tx, dialect, series{id: ids[0], meter: m, filters: filters})
}

type series struct {
	id      string
	meter   Meter
	filters Filters
}

// backfill builds a new series' rows from every stored event of its meter.
func backfill(tx *gorm.DB, dialect store.Dialect, s series) error {
	const page = 5000
	lastTs, lastID := int64(-1<<62), ""
	for {
		var rows []eventRow
		id := byteID(dialect, "id")
		err := tx.Where("tenant_id = ? AND event_name = ? AND ((ts > ?) OR (ts = ? AND "+id+" > ?))",
			s.meter.TenantID, s.meter.EventName, lastTs, lastTs, lastID).
			Order("ts, " + id).Limit(page).Find(&rows).Error
		if err != nil {
			return fmt.Errorf("backfill rollups: %w", err)
		}
		d := deltas{}
		for _, r := range rows {
			d.add(s, r)
		}
		if err := d.apply(tx, dialect); err != nil {
			return err
		}
		if len(rows) < page {
			return nil
		}
		lastTs, lastID = rows[len(rows)-1].Ts, rows[len(rows)-1].ID
	}
}

type rollupKey struct {
	grain    int
	series   string
	customer string
	bucket   int64
}

// deltas are the rollup changes of a set of new events.
type deltas map[rollupKey]*partial

func (d deltas) add(s series, r eventRow) {
	e := r.toEvent()
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

func toRollupRow(k rollupKey, p partial) rollupRow {
	r := rollupRow{SeriesID: k.series, Customer: k.customer, Bucket: k.bucket, EventCount: p.count, SumValue: p.sum}
	if p.max != nil {
		r.MaxValue = decimal.NullDecimal{Decimal: *p.max, Valid: true}
	}
	if p.hasLatest {
		ts, id := p.latestTs, p.latestID
		r.LatestTs, r.LatestID = &ts, &id
		if p.latestVal != nil {
			r.LatestValue = decimal.NullDecimal{Decimal: *p.latestVal, Valid: true}
		}
	}
	return r
}

// apply writes the deltas, grain by grain. Postgres merges in SQL with
// exact numeric arithmetic; SQLite (whose arithmetic on TEXT would go
// through floating point) reads the rows and merges them in Go, safe under
// its single writer.
func (d deltas) apply(tx *gorm.DB, dialect store.Dialect) error {
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
		if err := d.applyGrain(tx, dialect, grains[g].table, mine); err != nil {
			return err
		}
	}
	return nil
}

func (d deltas) applyGrain(tx *gorm.DB, dialect store.Dialect, table string, keys []rollupKey) error {
	if len(keys) == 0 {
		return nil
	}
	if dialect == store.SQLite {
		if err := d.mergeStored(tx, table, keys); err != nil {
			return err
		}
	}
	const chunk = 500
	for start := 0; start < len(keys); start += chunk {
		end := min(start+chunk, len(keys))
		var sb strings.Builder
		args := make([]any, 0, (end-start)*9)
		sb.WriteString("INSERT INTO " + table + " (series_id, customer, bucket, event_count, sum_value, max_value, latest_ts, latest_id, latest_value) VALUES ")
		for i, k := range keys[start:end] {
			if i > 0 {
				sb.WriteString(",")
			}
			sb.WriteString("(?,?,?,?,?,?,?,?,?)")
			r := toRollupRow(k, *d[k])
			args = append(args, r.SeriesID, r.Customer, r.Bucket, r.EventCount, r.SumValue, r.MaxValue, r.LatestTs, r.LatestID, r.LatestValue)
		}
		sb.WriteString(" ON CONFLICT (series_id, customer, bucket) DO UPDATE SET ")
		if dialect == store.Postgres {
			// Ties on latest_ts go to the greater id byte by byte, whatever
			// the column's collation (see byteID).
			newer := "(R.latest_ts IS NULL OR excluded.latest_ts > R.latest_ts OR (excluded.latest_ts = R.latest_ts AND " +
				byteID(dialect, "excluded.latest_id") + " > " + byteID(dialect, "R.latest_id") + "))"
			sb.WriteString(strings.ReplaceAll(`event_count = R.event_count + excluded.event_count,
				sum_value = R.sum_value + excluded.sum_value,
				max_value = CASE WHEN R.max_value IS NULL OR excluded.max_value > R.max_value THEN excluded.max_value ELSE R.max_value END,
				latest_value = CASE WHEN `+newer+` THEN excluded.latest_value ELSE R.latest_value END,
				latest_id = CASE WHEN `+newer+` THEN excluded.latest_id ELSE R.latest_id END,
				latest_ts = CASE WHEN `+newer+` THEN excluded.latest_ts ELSE R.latest_ts END`, "R.", table+"."))
		} else {
			sb.WriteString(`event_count = excluded.event_count, sum_value = excluded.sum_value, max_value = excluded.max_value,
				latest_ts = excluded.latest_ts, latest_id = excluded.latest_id, latest_value = excluded.latest_value`)
		}
		if err := tx.Exec(sb.String(), args...).Error; err != nil {
			return fmt.Errorf("update rollups: %w", err)
		}
	}
	return nil
}

// mergeStored folds the stored rows of the keys (all of one grain) into
// the deltas (SQLite).
func (d deltas) mergeStored(tx *gorm.DB, table string, keys []rollupKey) error {
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
			if err := tx.Table(table).Where("series_id = ? AND customer = ? AND bucket IN ?", g.series, g.customer, bs[start:end]).Find(&rows).Error; err != nil {
				return fmt.Errorf("read rollups: %w", err)
			}
			for _, r := range rows {
				d[rollupKey{grain, r.SeriesID, r.Customer, r.Bucket}].merge(r.partial())
			}
		}
	}
	return nil
}

// seriesFor loads, inside the ingesting transaction, the series of the
// meters an event batch may feed, holding a share lock on those meters
// (Postgres) so that no series is being created meanwhile.
func seriesFor(tx *gorm.DB, dialect store.Dialect, tenantID string, ms []Meter) ([]series, error) {
	if len(ms) == 0 {
		return nil, nil
	}
	ids := make([]string, len(ms))
	byID := map[string]Meter{}
	for i, m := range ms {
		ids[i] = m.ID
		byID[m.ID] = m
	}
	sort.Strings(ids)
	if dialect == store.Postgres {
		var locked []string
		if err := tx.Raw("SELECT id FROM meters WHERE id IN ? ORDER BY id FOR SHARE", ids).Scan(&locked).Error; err != nil {
			return nil, fmt.Errorf("lock meters: %w", err)
		}
	}
	var rows []seriesRow
	if err := tx.Where("tenant_id = ? AND meter_id IN ?", tenantID, ids).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load rollup series: %w", err)
	}
	out := make([]series, 0, len(rows))
	for _, r := range rows {
		out = append(out, series{id: r.ID, meter: byID[r.MeterID], filters: decodeFilters(r.FiltersKey)})
	}
	return out, nil
}
