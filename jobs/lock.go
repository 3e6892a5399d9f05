package jobs

import (
	"context"
	"hash/fnv"

	"github.com/tallyhq/tally/store"
)

// Locker makes sure only one process runs a named job at a time.
type Locker interface {
	// TryLock runs fn if the named lock is free and reports whether it ran.
	TryLock(ctx context.Context, name string, fn func(ctx context.Context) error) (bool, error)
}

// NewLocker returns the locker of the database: store.DB.TryLock, which
// shares the lock between processes where the database can (Postgres
// advisory locks) and holds it in the process where one process serves the
// database (SQLite).
func NewLocker(db *store.DB) Locker { return dbLocker{db: db} }

type dbLocker struct{ db *store.DB }

// lockKey maps a job name to a lock key in Tally's own range.
func lockKey(name string) int64 {
	h := fnv.New32a()
	_, _ = h.Write([]byte("tally.job." + name))
	return 7_420_000_000 + int64(h.Sum32())
}

func (l dbLocker) TryLock(ctx context.Context, name string, fn func(ctx context.Context) error) (bool, error) {
	return l.db.TryLock(ctx, lockKey(name), fn)
}
