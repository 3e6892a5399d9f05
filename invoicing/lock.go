package invoicing

import "gorm.io/gorm/clause"

// lockForUpdate locks the selected rows until the transaction ends
// (Postgres; SQLite has a single writer).
func lockForUpdate() clause.Expression { return clause.Locking{Strength: "UPDATE"} }
