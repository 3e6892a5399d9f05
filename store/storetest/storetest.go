package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tallyhq/tally/migrations"
	"github.com/tallyhq/tally/store"
)

// DefaultPostgresURL is used when TALLY_TEST_POSTGRES_URL is unset.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// PostgresURL returns the server the tests use.
func PostgresURL() string {
	if u := os.Getenv("TALLY_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return DefaultPostgresURL
}

// InCI reports whether the tests run in CI, where no service may be skipped.
func InCI() bool { return os.Getenv("CI") == "true" || os.Getenv("CI") == "1" }

// Each runs fn once per store, as subtests "sqlite" and "postgres".
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// Open returns a fresh migrated database of the dialect, closed at cleanup.
func Open(t testing.TB, d store.Dialect) *store.DB {
	t.Helper()
	url := URL(t, d)
	db, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatalf("open %s: %v", d, err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if _, err := migrations.Apply(context.Background(), db); err != nil {
		t.Fatalf("migrate %s: %v", d, err)
	}
	return db
}

// URL returns the URL of a fresh, empty database of the dialect (a new SQLite
// file, or a new Postgres schema dropped at cleanup), not yet migrated.
func URL(t testing.TB, d store.Dialect) string {
	t.Helper()
	switch d {
	case store.SQLite:
		return "sqlite://" + filepath.Join(t.TempDir(), "tally.db")
	case store.Postgres:
		RequirePostgres(t)
		schema := "t_" + randHex(8)
		admin := adminDB(t)
		if err := admin.Gorm.Exec("CREATE SCHEMA " + schema).Error; err != nil {
			t.Fatalf("create schema: %v", err)
		}
		t.Cleanup(func() { _ = admin.Gorm.Exec("DROP SCHEMA " + schema + " CASCADE").Error })
		return withSearchPath(PostgresURL(), schema)
	}
	t.Fatalf("unknown dialect %s", d)
	return ""
}

func withSearchPath(url, schema string) string {
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + "search_path=" + schema
}

var (
	adminOnce sync.Once
	admin     *store.DB
	adminErr  error
)

func adminDB(t testing.TB) *store.DB {
	adminOnce.Do(func() {
		admin, adminErr = store.Open(context.Background(), PostgresURL())
	})
	if adminErr != nil {
		t.Fatalf("postgres: %v", adminErr)
	}
	return admin
}

// RequirePostgres skips (or, in CI, fails) the test when Postgres is not
// reachable.
func RequirePostgres(t testing.TB) {
	t.Helper()
	adminOnce.Do(func() {
		admin, adminErr = store.Open(context.Background(), PostgresURL())
	})
	if adminErr == nil {
		return
	}
	msg := fmt.Sprintf("PostgreSQL not reachable at %s (%v). Start it or set TALLY_TEST_POSTGRES_URL; "+
		"on the dev machine: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start", PostgresURL(), adminErr)
	if InCI() {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
