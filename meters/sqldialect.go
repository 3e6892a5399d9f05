package meters

import (
	"fmt"
	"strings"

	"github.com/tallyhq/tally/store"
	"gorm.io/gorm"
)

// sqlDialect is what the SQL event store does differently on each
// database: the only place its SQL depends on which one it runs on.
type sqlDialect interface {
	// byteID is the SQL expression comparing and ordering the id
	// expression expr by bytes (see order.go).
	byteID(expr string) string
	// lockFeeding takes, inside an ingesting transaction, a lock on the
	// meters (ids sorted) that keeps their series from being created until
	// it commits, while letting other ingestions through.
	lockFeeding(tx *gorm.DB, meterIDs []string) error
	// lockCreating takes, inside the transaction creating a series of the
	// meter, the lock that waits for every ingestion feeding it.
	lockCreating(tx *gorm.DB, meterID string) error
	// mergesInGo reports whether rollup rows must be read and merged in Go
	// before being written over (mergeSQL is then not used).
	mergesInGo() bool
	// mergeSQL is the ON CONFLICT DO UPDATE SET clause folding the incoming
	// row (excluded) into the stored one of table.
	mergeSQL(table string) string
	// rollupShards is how many shards concurrent writers may spread a
	// bucket's rollup rows over (1: always shard 0).
	rollupShards() int
	// partitioned reports whether events is partitioned by month (each
	// month's partition must exist before its events are written).
	partitioned() bool
	// bindsArrays reports whether a batch's rows are bound as one array
	// per column and expanded by unnest (pgwrite.go), instead of a VALUES
	// list of a parameter per value.
	bindsArrays() bool
}

func dialectOf(d store.Dialect) sqlDialect {
	if d == store.Postgres {
		return postgresDialect{}
	}
	return sqliteDialect{}
}

// postgresDialect: row locks on meters order ingestion against series
// creation, and rollups merge in SQL with exact numeric arithmetic. Ids
// compare under COLLATE "C", since the columns' collation may be any.
type postgresDialect struct{}

func (postgresDialect) rollupShards() int { return rollupShards }
func (postgresDialect) partitioned() bool { return true }
func (postgresDialect) bindsArrays() bool { return true }

func (postgresDialect) byteID(expr string) string { return expr + ` COLLATE "C"` }

func (postgresDialect) lockFeeding(tx *gorm.DB, ids []string) error {
	var locked []string
	if err := tx.Raw("SELECT id FROM meters WHERE id IN ? ORDER BY id FOR SHARE", ids).Scan(&locked).Error; err != nil {
		return fmt.Errorf("lock meters: %w", err)
	}
	return nil
}

func (postgresDialect) lockCreating(tx *gorm.DB, id string) error {
	var got string
	if err := tx.Raw("SELECT id FROM meters WHERE id = ? FOR UPDATE", id).Scan(&got).Error; err != nil {
		return fmt.Errorf("lock meter: %w", err)
	}
	return nil
}

func (postgresDialect) mergesInGo() bool { return false }

func (d postgresDialect) mergeSQL(table string) string {
	// Ties on latest_ts go to the greater id byte by byte, whatever the
	// column's collation.
	newer := "(R.latest_ts IS NULL OR excluded.latest_ts > R.latest_ts OR (excluded.latest_ts = R.latest_ts AND " +
		d.byteID("excluded.latest_id") + " > " + d.byteID("R.latest_id") + "))"
	return strings.ReplaceAll(`event_count = R.event_count + excluded.event_count,
				sum_value = R.sum_value + excluded.sum_value,
				max_value = CASE WHEN R.max_value IS NULL OR excluded.max_value > R.max_value THEN excluded.max_value ELSE R.max_value END,
				latest_value = CASE WHEN `+newer+` THEN excluded.latest_value ELSE R.latest_value END,
				latest_id = CASE WHEN `+newer+` THEN excluded.latest_id ELSE R.latest_id END,
				latest_ts = CASE WHEN `+newer+` THEN excluded.latest_ts ELSE R.latest_ts END,
				max_ts = GREATEST(R.max_ts, excluded.max_ts)`, "R.", table+".")
}

// sqliteDialect: one writer at a time (store.Open keeps one connection), so
// no locks are needed; arithmetic on its TEXT numbers would go through
// floating point, so rollups are read, merged in Go and written over. Its
// default BINARY collation already compares ids by bytes.
type sqliteDialect struct{}

// rollupShards: SQLite has one writer, which always writes shard 0 (its
// merge in Go reads and writes over the rows of that shard).
func (sqliteDialect) rollupShards() int { return 1 }

// partitioned: SQLite has no partitions; events is one table.
func (sqliteDialect) partitioned() bool { return false }

// bindsArrays: SQLite has no array parameters; batches go as VALUES lists.
func (sqliteDialect) bindsArrays() bool { return false }

func (sqliteDialect) byteID(expr string) string                   { return expr }
func (sqliteDialect) lockFeeding(tx *gorm.DB, ids []string) error { return nil }
func (sqliteDialect) lockCreating(tx *gorm.DB, id string) error   { return nil }
func (sqliteDialect) mergesInGo() bool                            { return true }
func (sqliteDialect) mergeSQL(string) string {
	return `event_count = excluded.event_count, sum_value = excluded.sum_value, max_value = excluded.max_value,
				latest_ts = excluded.latest_ts, latest_id = excluded.latest_id, latest_value = excluded.latest_value, max_ts = excluded.max_ts`
}
