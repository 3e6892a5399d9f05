package meters

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"
)

// On Postgres a batch is written with its columns bound as arrays and
// expanded by unnest: one statement per batch (not a VALUES list of
// thousands of parameters, which Postgres parses and plans row by row and
// pgx encodes one by one) and one statement per rollup grain. It is what
// brings HTTP ingestion close to a COPY of the same rows (BENCHMARKS.md).
// The statement text is constant, so pgx prepares it once per connection.
// The arrays go to the driver as they are: pgx's database/sql driver
// accepts []string and []int64 and encodes them as text[] and int8[].

// pgInsertEvents is insertEvents on Postgres: the ids go into event_ids
// first (its key decides which of two racing writers wins), and only the
// winners' rows into events, in one statement. It returns the new ids.
const pgInsertEvents = `WITH input AS (
	SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::int8[], $6::text[], $7::int8[])
		AS t(id, event_name, customer, ts, properties, received_at)
), fresh AS (
	INSERT INTO event_ids (tenant_id, id, ts) SELECT $1, id, ts FROM input
	ON CONFLICT (tenant_id, id) DO NOTHING RETURNING id
)
INSERT INTO events (tenant_id, id, event_name, customer, ts, properties, received_at)
SELECT $1, i.id, i.event_name, i.customer, i.ts, i.properties::jsonb, i.received_at
FROM input i JOIN fresh f ON f.id = i.id
RETURNING id`

// conn is the transaction's own connection, for statements that bind
// arrays (gorm would expand a slice argument into a list of parameters).
func conn(tx *gorm.DB) interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
} {
	return tx.Statement.ConnPool
}

func insertEventsArrays(tx *gorm.DB, rows []eventRow) ([]string, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	n := len(rows)
	ids, names, custs, props := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	ts, recv := make([]int64, n), make([]int64, n)
	for i, r := range rows {
		ids[i], names[i], custs[i], props[i], ts[i], recv[i] = r.ID, r.EventName, r.Customer, r.Properties, r.Ts, r.ReceivedAt
	}
	res, err := conn(tx).QueryContext(tx.Statement.Context, pgInsertEvents, rows[0].TenantID, ids, names, custs, ts, props, recv)
	if err != nil {
		return nil, fmt.Errorf("insert events: %w", err)
	}
	defer res.Close()
	fresh := make([]string, 0, n)
	for res.Next() {
		var id string
		if err := res.Scan(&id); err != nil {
			return nil, err
		}
		fresh = append(fresh, id)
	}
	return fresh, res.Err()
}

// upsertRollupsArrays is applyGrain's statement on Postgres: every key of
// one grain (sorted, so that concurrent writers lock rows in one order) in
// one INSERT … SELECT FROM unnest … ON CONFLICT merged by mergeSQL. NULL
// decimals and latest fields travel as NULL array elements.
func (d deltas) upsertRollupsArrays(tx *gorm.DB, dialect sqlDialect, table string, shard int, keys []rollupKey) error {
	n := len(keys)
	series, custs := make([]string, n), make([]string, n)
	buckets, counts, maxTs := make([]int64, n), make([]int64, n), make([]int64, n)
	sums := make([]string, n)
	maxes, latestVals, latestIDs := make([]*string, n), make([]*string, n), make([]*string, n)
	latestTs := make([]*int64, n)
	text := func(v decimal.NullDecimal) *string {
		if !v.Valid {
			return nil
		}
		s := v.Decimal.String()
		return &s
	}
	for i, k := range keys {
		r := toRollupRow(k, shard, *d[k])
		series[i], custs[i], buckets[i], counts[i], maxTs[i] = r.SeriesID, r.Customer, r.Bucket, r.EventCount, r.MaxTs
		sums[i] = r.SumValue.String()
		maxes[i], latestVals[i] = text(r.MaxValue), text(r.LatestValue)
		latestTs[i], latestIDs[i] = r.LatestTs, r.LatestID
	}
	q := "INSERT INTO " + table + ` (series_id, customer, bucket, shard, event_count, sum_value, max_value, latest_ts, latest_id, latest_value, max_ts)
SELECT s, c, b, $1, n, sv::numeric, mv::numeric, lt, li, lv::numeric, mt
FROM unnest($2::text[], $3::text[], $4::int8[], $5::int8[], $6::text[], $7::text[], $8::int8[], $9::text[], $10::text[], $11::int8[])
	AS t(s, c, b, n, sv, mv, lt, li, lv, mt)
ON CONFLICT (series_id, customer, bucket, shard) DO UPDATE SET ` + dialect.mergeSQL(table)
	if _, err := conn(tx).ExecContext(tx.Statement.Context, q, shard, series, custs, buckets, counts, sums, maxes, latestTs, latestIDs, latestVals, maxTs); err != nil {
		return fmt.Errorf("update rollups: %w", err)
	}
	return nil
}
