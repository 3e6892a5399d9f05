package store

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// IsStorageFull reports whether err means the database has no space left
// to write: PostgreSQL's disk_full (SQLSTATE 53100), or SQLite's
// SQLITE_FULL ("database or disk is full": the disk, or a max_page_count
// limit). The write was rolled back whole, nothing is half-stored, and the
// same request succeeds once space is freed; callers answer 507 with
// Retry-After, not a 500.
func IsStorageFull(err error) bool {
	if err == nil {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "53100"
	}
	msg := err.Error()
	return strings.Contains(msg, "database or disk is full") || strings.Contains(msg, "SQLITE_FULL") ||
		strings.Contains(msg, "no space left on device")
}
