package migrations

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/tallyhq/tally/store"
	"gorm.io/gorm"
)

//go:embed postgres/*.sql sqlite/*.sql
var files embed.FS

// advisoryLockKey is the Postgres advisory lock taken while migrating.
const advisoryLockKey = 7_420_001

// Migration is one versioned SQL file.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// List returns the migrations of a dialect in version order.
func List(d store.Dialect) ([]Migration, error) {
	dir := string(d)
	entries, err := fs.ReadDir(files, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations for %s: %w", d, err)
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s/%s: name must start with a number and '_'", dir, name)
		}
		body, err := files.ReadFile(dir + "/" + name)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: name, SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("two %s migrations share version %d", d, out[i].Version)
		}
	}
	return out, nil
}

// Apply brings the database up to the newest schema and returns the names of
// the files it applied.
func Apply(ctx context.Context, db *store.DB) ([]string, error) {
	list, err := List(db.Dialect)
	if err != nil {
		return nil, err
	}
	g := db.WithContext(ctx)
	if db.Dialect == store.Postgres {
		// A session-level lock needs one connection for lock, work and unlock.
		sqlDB, err := db.Gorm.DB()
		if err != nil {
			return nil, err
		}
		conn, err := sqlDB.Conn(ctx)
		if err != nil {
			return nil, err
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", advisoryLockKey); err != nil {
			return nil, fmt.Errorf("lock migrations: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", advisoryLockKey)
	}
	if err := g.Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`).Error; err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	var done []int
	if err := g.Raw(`SELECT version FROM schema_migrations`).Scan(&done).Error; err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	have := map[int]bool{}
	for _, v := range done {
		have[v] = true
	}
	var applied []string
	for _, m := range list {
		if have[m.Version] {
			continue
		}
		noFK := db.Dialect == store.SQLite && strings.HasPrefix(m.SQL, foreignKeysOff)
		if noFK {
			// SQLite ignores this pragma inside a transaction; its one
			// connection keeps it until it is turned back on below.
			if err := g.Exec(`PRAGMA foreign_keys = OFF`).Error; err != nil {
				return applied, fmt.Errorf("%s: %w", m.Name, err)
			}
		}
		err := db.Tx(ctx, func(tx *gorm.DB) error {
			for _, stmt := range splitStatements(m.SQL) {
				if err := tx.Exec(stmt).Error; err != nil {
					return fmt.Errorf("%s: %w", m.Name, err)
				}
			}
			return tx.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, CURRENT_TIMESTAMP)`, m.Version, m.Name).Error
		})
		if noFK {
			err = errors.Join(err, foreignKeysBackOn(g, m.Name))
		}
		if err != nil {
			return applied, fmt.Errorf("apply migration: %w", err)
		}
		applied = append(applied, m.Name)
	}
	return applied, nil
}

// foreignKeysOff, as a SQLite migration's first line, has the runner turn
// foreign keys off around the file: SQLite's documented way to rebuild a
// table that others reference (a DROP TABLE would otherwise cascade).
const foreignKeysOff = "-- tally:foreign-keys-off"

// foreignKeysBackOn checks the rebuilt tables' references and turns foreign
// keys on again.
func foreignKeysBackOn(g *gorm.DB, name string) error {
	var broken []map[string]any
	if err := g.Raw(`PRAGMA foreign_key_check`).Scan(&broken).Error; err != nil {
		return fmt.Errorf("%s: foreign key check: %w", name, err)
	}
	if err := g.Exec(`PRAGMA foreign_keys = ON`).Error; err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if len(broken) > 0 {
		return fmt.Errorf("%s: %d rows break a foreign key after the rebuild: %v", name, len(broken), broken[0])
	}
	return nil
}

// splitStatements splits a migration file on semicolons that end a line.
// Migration files keep to that form (no semicolons inside statements' lines).
func splitStatements(sql string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(sql, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteString("\n")
		if strings.HasSuffix(trimmed, ";") {
			if s := strings.TrimSpace(cur.String()); s != ";" {
				out = append(out, strings.TrimSuffix(s, ";"))
			}
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}
