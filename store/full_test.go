package store

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestIsStorageFull pins which errors are a full database (507) and which
// are not.
func TestIsStorageFull(t *testing.T) {
	cases := []struct {
		name string
		err  error
		full bool
	}{
		{"no error is not", nil, false},
		{"SQLite's SQLITE_FULL is", errors.New("database or disk is full (13)"), true},
		{"a wrapped SQLITE_FULL is", fmt.Errorf("store events: %w", errors.New("database or disk is full")), true},
		{"ENOSPC is", errors.New("write /data/tally.db-wal: no space left on device"), true},
		{"PostgreSQL's disk_full is", &pgconn.PgError{Code: "53100", Message: "could not extend file"}, true},
		{"PostgreSQL's too many connections is not (it is unavailable)", &pgconn.PgError{Code: "53300"}, false},
		{"a unique violation is not", &pgconn.PgError{Code: "23505"}, false},
		{"a busy SQLite is not", errors.New("database is locked (5) (SQLITE_BUSY)"), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := IsStorageFull(c.err); got != c.full {
				t.Errorf("IsStorageFull(%v) = %v, want %v", c.err, got, c.full)
			}
		})
	}
}
