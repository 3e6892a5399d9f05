package meters

import (
	"context"
	"errors"
	"sync"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
	"gorm.io/gorm"
)

// sqlStore is the EventStore of the SQL databases Tally opens (SQLite and
// Postgres, through gorm): events in the events table, rollup series in
// rollup_series, and their hourly and minute rows in usage_rollups and
// usage_rollups_minute (see rollupseries.go). The SQL is one; what differs
// between the databases (locks, merging rollups, comparing ids by bytes) is
// asked of its dialect, never branched on elsewhere.
type sqlStore struct {
	db     *gorm.DB
	reader func(context.Context) *gorm.DB // the primary, or the replica for ReplicaOK reads
	d      sqlDialect
	clock  domain.Clock
	shards *shardPool  // rollup shards of the store's own transactions
	parts  *partitions // the monthly partitions of events known to exist (Postgres)
	known  *sync.Map   // rollup series ids found, by tenant, meter and filters (seriesID)
}

// NewSQLStore returns the EventStore that keeps events in db, on db's
// dialect (SQLite or Postgres); the clock stamps the rollup series it
// creates on first use. It joins a caller's transaction given as the
// *gorm.DB of db.Tx.
func NewSQLStore(db *store.DB, clock domain.Clock) EventStore {
	d := dialectOf(db.Dialect)
	return &sqlStore{db: db.Gorm, reader: db.Reader, d: d, clock: clock, shards: newShardPool(d.rollupShards()), parts: newPartitions(), known: &sync.Map{}}
}

var errNoDB = errors.New("meters: the SQL event store has no database")

// inTx runs fn in tx when the caller gave one, else in a transaction of
// the store's own.
func (s *sqlStore) inTx(ctx context.Context, tx *gorm.DB, fn func(tx *gorm.DB) error) error {
	if tx != nil {
		return fn(tx.WithContext(ctx))
	}
	if s.db == nil {
		return errNoDB
	}
	return s.db.WithContext(ctx).Transaction(fn)
}

// read is the handle reads outside a transaction go through: the read
// replica when the request accepts lag (store.ReplicaOK), else the primary.
func (s *sqlStore) read(ctx context.Context) *gorm.DB { return s.reader(ctx) }
