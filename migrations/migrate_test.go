package migrations_test

import (
	"context"
	"testing"

	"github.com/tallyhq/tally/migrations"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
)

func TestBothDialectsHaveTheSameMigrationVersions(t *testing.T) {
	pg, err := migrations.List(store.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	lite, err := migrations.List(store.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	if len(pg) != len(lite) {
		t.Fatalf("postgres has %d migrations, sqlite %d", len(pg), len(lite))
	}
	for i := range pg {
		if pg[i].Name != lite[i].Name {
			t.Errorf("migration %d: postgres %s, sqlite %s", i, pg[i].Name, lite[i].Name)
		}
	}
}

func TestApplyingTwiceAppliesNothingTheSecondTime(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			db, err := store.Open(context.Background(), storetest.URL(t, d))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			first, err := migrations.Apply(context.Background(), db)
			if err != nil {
				t.Fatal(err)
			}
			if len(first) == 0 {
				t.Fatal("a fresh database applied no migration")
			}
			second, err := migrations.Apply(context.Background(), db)
			if err != nil {
				t.Fatal(err)
			}
			if len(second) != 0 {
				t.Fatalf("second apply ran %v", second)
			}
		})
	}
}
