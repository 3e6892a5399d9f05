package meters_test

import (
	"testing"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/meters/eventstoretest"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
)

// TestSQLStoresPassTheConformanceSuite runs the event store suite against
// the SQL store on SQLite, on Postgres, and on Postgres with its id columns
// under an ICU collation (where any id comparison left to the database
// would show).
func TestSQLStoresPassTheConformanceSuite(t *testing.T) {
	for _, c := range []struct {
		name    string
		dialect store.Dialect
		icu     bool
	}{{"sqlite", store.SQLite, false}, {"postgres", store.Postgres, false}, {"postgres with ICU id collation", store.Postgres, true}} {
		t.Run(c.name, func(t *testing.T) {
			eventstoretest.Run(t, func(t *testing.T) eventstoretest.Env {
				db := storetest.Open(t, c.dialect)
				if c.icu {
					useICUCollation(t, db)
				}
				return eventstoretest.OnDB(t, db, meters.NewSQLStore(db, domain.SystemClock{}))
			})
		})
	}
}
