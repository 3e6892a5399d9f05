package store

import (
	"context"
	"fmt"
	"sync"
)

// localLocks are the locks of a database only this process uses (SQLite).
type localLocks struct {
	mu   sync.Mutex
	held map[int64]bool
}

func (l *localLocks) try(key int64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held[key] {
		return false
	}
	if l.held == nil {
		l.held = map[int64]bool{}
	}
	l.held[key] = true
	return true
}

func (l *localLocks) release(key int64) {
	l.mu.Lock()
	delete(l.held, key)
	l.mu.Unlock()
}

// TryLock runs fn while holding the lock named key, if no one else holds
// it, and reports whether fn ran. On Postgres the lock is a session advisory
// lock on one dedicated connection, shared by every process on the database
// and released with the session if the process dies; on SQLite (a file one
// process serves) it is held in this process, shared by every user of d.
func (d *DB) TryLock(ctx context.Context, key int64, fn func(ctx context.Context) error) (bool, error) {
	if d.Dialect != Postgres {
		if !d.locks.try(key) {
			return false, nil
		}
		defer d.locks.release(key)
		return true, fn(ctx)
	}
	sqlDB, err := d.Gorm.DB()
	if err != nil {
		return false, err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return false, fmt.Errorf("lock connection: %w", err)
	}
	defer conn.Close()
	var got bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&got); err != nil {
		return false, fmt.Errorf("advisory lock: %w", err)
	}
	if !got {
		return false, nil
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", key)
	return true, fn(ctx)
}
