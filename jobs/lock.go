package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"sync"

	"github.com/tallyhq/tally/store"
)

// Locker makes sure only one process runs a named job at a time.
type Locker interface {
	// TryLock runs fn if the named lock is free and reports whether it ran.
	TryLock(ctx context.Context, name string, fn func(ctx context.Context) error) (bool, error)
}

// NewLocker returns the locker for the database: Postgres advisory locks,
// or a process-local lock for SQLite.
func NewLocker(db *store.DB) Locker {
	if db.Dialect == store.Postgres {
		return &pgLocker{db: db}
	}
	return &localLocker{held: map[string]bool{}}
}

type localLocker struct {
	mu   sync.Mutex
	held map[string]bool
}

func (l *localLocker) TryLock(ctx context.Context, name string, fn func(ctx context.Context) error) (bool, error) {
	l.mu.Lock()
	if l.held[name] {
		l.mu.Unlock()
		return false, nil
	}
	l.held[name] = true
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		delete(l.held, name)
		l.mu.Unlock()
	}()
	return true, fn(ctx)
}

type pgLocker struct{ db *store.DB }

// lockKey maps a job name to an advisory lock key in Tally's own range.
func lockKey(name string) int64 {
	h := fnv.New32a()
	_, _ = h.Write([]byte("tally.job." + name))
	return 7_420_000_000 + int64(h.Sum32())
}

// TryLock holds a session advisory lock on one dedicated connection for as
// long as fn runs; if the server dies, Postgres releases it with the
// session.
func (l *pgLocker) TryLock(ctx context.Context, name string, fn func(ctx context.Context) error) (bool, error) {
	sqlDB, err := l.db.Gorm.DB()
	if err != nil {
		return false, err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return false, fmt.Errorf("job lock connection: %w", err)
	}
	defer conn.Close()
	key := lockKey(name)
	var got bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&got); err != nil {
		return false, fmt.Errorf("job lock: %w", err)
	}
	if !got {
		return false, nil
	}
	defer unlock(conn, key)
	return true, fn(ctx)
}

func unlock(conn *sql.Conn, key int64) {
	_, _ = conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1)", key)
}
