package store

import (
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The differences between the dialects that code outside store needs, one
// concern per method, so that no other package branches on the dialect's
// name. (The event store in meters has its own per-dialect SQL, and the
// migrations are per-dialect files.)

// LockForUpdate returns q locking the rows it selects until the transaction
// ends: SELECT … FOR UPDATE on Postgres. SQLite has a single writer (one
// connection, see Open), so a transaction there already excludes every
// other writer and q is returned as is.
func (d Dialect) LockForUpdate(q *gorm.DB) *gorm.DB {
	if d == Postgres {
		return q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return q
}

// DecimalNotZero is the SQL condition "the decimal column is not zero".
// SQLite keeps decimals as TEXT ("0", "0.00", "-0.5"), which it would
// compare to a number as text; as a REAL every decimal rounded to a minor
// unit is zero exactly when it is zero (a huge one becomes Inf, not 0).
// column must be a trusted column name, never input.
func (d Dialect) DecimalNotZero(column string) string {
	if d == SQLite {
		return "CAST(" + column + " AS REAL) <> 0"
	}
	return column + " <> 0"
}
