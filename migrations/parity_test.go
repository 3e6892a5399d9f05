package migrations_test

// The schema-parity test: both dialects' migrations, applied to fresh
// databases, must give the same schema.
//
// What is compared, per table (tables whose name starts with sqlite_ are
// SQLite's own and left out):
//   - the set of tables and of views, by name;
//   - columns by name: type class and nullability (not their order);
//   - the primary key's column list;
//   - unique constraints (declared in CREATE TABLE: SQLite names them
//     sqlite_autoindex_*, Postgres <table>_<col>_key, so they are matched by
//     their column list) and named indexes (CREATE [UNIQUE] INDEX, matched by
//     name): column list in order, unique or not, partial (has a WHERE) or not;
//     an expression in an index counts as the column "<expr>";
//   - foreign keys, matched by their column list: referenced table and
//     columns, and the ON DELETE action.
//
// Type classes. Each dialect's declared type is put in a class:
//
//	class      SQLite declared type           Postgres type
//	text       TEXT, VARCHAR, CHAR, CLOB      text, character varying, character
//	integer    INTEGER, INT, SMALLINT         integer, smallint
//	bigint     BIGINT                         bigint
//	decimal    NUMERIC, DECIMAL, REAL         numeric, real, double precision
//	timestamp  DATETIME, TIMESTAMP            timestamp with(out) time zone
//	boolean    BOOLEAN                        boolean
//	blob       BLOB                           bytea
//	json       JSON                           json, jsonb
//
// Tally stores decimals in SQLite as TEXT (exact strings, no float affinity)
// and JSON documents as TEXT, so a Postgres decimal or json column matches a
// SQLite text column; every other pair must be of the same class. (The cost:
// a Postgres numeric column against a SQLite TEXT column holding words is not
// caught.) SQLite lets a non-INTEGER primary key column hold NULL unless it is
// declared NOT NULL, while Postgres makes every key column NOT NULL; key
// columns are therefore compared as NOT NULL on both sides.

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
)

// schema is one database's tables and views, by name.
type schema struct {
	dialect store.Dialect
	tables  map[string]*table
	views   map[string]bool
}

type table struct {
	columns map[string]column
	pk      []string
	indexes map[string]index // by identity: "unique(a, b)" for constraints, else the index name
	fks     map[string]fk    // by "(cols)"
}

type column struct {
	class   string
	notNull bool
}

type index struct {
	columns []string
	unique  bool
	partial bool
}

type fk struct {
	refTable   string
	refColumns []string
	onDelete   string
}

func (i index) String() string {
	s := "(" + strings.Join(i.columns, ", ") + ")"
	if i.unique {
		s = "unique " + s
	}
	if i.partial {
		s += " partial"
	}
	return s
}

func (f fk) String() string {
	return fmt.Sprintf("%s(%s) on delete %s", f.refTable, strings.Join(f.refColumns, ", "), f.onDelete)
}

func constraintKey(cols []string) string { return "unique(" + strings.Join(cols, ", ") + ")" }

// classOf puts a declared type of the dialect into its type class; an
// unknown type is its own class ("?type"), which never matches.
func classOf(d store.Dialect, declared string) string {
	t := strings.ToLower(strings.TrimSpace(declared))
	if i := strings.IndexByte(t, '('); i >= 0 {
		t = strings.TrimSpace(t[:i])
	}
	switch d {
	case store.SQLite:
		switch t {
		case "text", "varchar", "char", "clob":
			return "text"
		case "integer", "int", "smallint":
			return "integer"
		case "bigint":
			return "bigint"
		case "numeric", "decimal", "real":
			return "decimal"
		case "datetime", "timestamp":
			return "timestamp"
		case "boolean":
			return "boolean"
		case "blob":
			return "blob"
		case "json":
			return "json"
		}
	case store.Postgres:
		switch t {
		case "text", "character varying", "character":
			return "text"
		case "integer", "smallint":
			return "integer"
		case "bigint":
			return "bigint"
		case "numeric", "real", "double precision":
			return "decimal"
		case "timestamp with time zone", "timestamp without time zone":
			return "timestamp"
		case "boolean":
			return "boolean"
		case "bytea":
			return "blob"
		case "json", "jsonb":
			return "json"
		}
	}
	return "?" + t
}

// classesMatch reports whether a Postgres and a SQLite column class are the
// same under the documented mapping.
func classesMatch(pg, lite string) bool {
	if pg == lite && !strings.HasPrefix(pg, "?") {
		return true
	}
	return lite == "text" && (pg == "decimal" || pg == "json")
}

func query(t *testing.T, db *sql.DB, q string, args []any, dest func(*sql.Rows) error) {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := dest(rows); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func sqlDB(t *testing.T, db *store.DB) *sql.DB {
	t.Helper()
	s, err := db.Gorm.DB()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// readSQLite reads the schema through SQLite's pragma functions.
func readSQLite(t *testing.T, db *store.DB) schema {
	t.Helper()
	s := sqlDB(t, db)
	out := schema{dialect: store.SQLite, tables: map[string]*table{}, views: map[string]bool{}}
	var names []string
	query(t, s, `SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`, nil,
		func(r *sql.Rows) error {
			var name, typ string
			if err := r.Scan(&name, &typ); err != nil {
				return err
			}
			if typ == "view" {
				out.views[name] = true
			} else {
				names = append(names, name)
			}
			return nil
		})
	for _, name := range names {
		tb := &table{columns: map[string]column{}, indexes: map[string]index{}, fks: map[string]fk{}}
		out.tables[name] = tb
		type pkCol struct {
			name string
			pos  int
		}
		var pks []pkCol
		query(t, s, `SELECT name, type, "notnull", pk FROM pragma_table_info(?)`, []any{name}, func(r *sql.Rows) error {
			var col, typ string
			var notNull bool
			var pk int
			if err := r.Scan(&col, &typ, &notNull, &pk); err != nil {
				return err
			}
			tb.columns[col] = column{class: classOf(store.SQLite, typ), notNull: notNull || pk > 0}
			if pk > 0 {
				pks = append(pks, pkCol{col, pk})
			}
			return nil
		})
		sort.Slice(pks, func(i, j int) bool { return pks[i].pos < pks[j].pos })
		for _, p := range pks {
			tb.pk = append(tb.pk, p.name)
		}
		type idx struct {
			name, origin    string
			unique, partial bool
		}
		var list []idx
		query(t, s, `SELECT name, "unique", origin, partial FROM pragma_index_list(?)`, []any{name}, func(r *sql.Rows) error {
			var i idx
			if err := r.Scan(&i.name, &i.unique, &i.origin, &i.partial); err != nil {
				return err
			}
			list = append(list, i)
			return nil
		})
		for _, i := range list {
			if i.origin == "pk" {
				continue // the primary key, compared above
			}
			var cols []string
			query(t, s, `SELECT name FROM pragma_index_info(?) ORDER BY seqno`, []any{i.name}, func(r *sql.Rows) error {
				var c sql.NullString
				if err := r.Scan(&c); err != nil {
					return err
				}
				cols = append(cols, exprOr(c))
				return nil
			})
			key := i.name
			if i.origin == "u" {
				key = constraintKey(cols)
			}
			tb.indexes[key] = index{columns: cols, unique: i.unique, partial: i.partial}
		}
		type fkCol struct {
			id, seq             int
			ref, from, onDelete string
			to                  sql.NullString
		}
		var fkCols []fkCol
		query(t, s, `SELECT id, seq, "table", "from", "to", on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq`, []any{name}, func(r *sql.Rows) error {
			var c fkCol
			if err := r.Scan(&c.id, &c.seq, &c.ref, &c.from, &c.to, &c.onDelete); err != nil {
				return err
			}
			fkCols = append(fkCols, c)
			return nil
		})
		byID := map[int][]fkCol{}
		var ids []int
		for _, c := range fkCols {
			if _, ok := byID[c.id]; !ok {
				ids = append(ids, c.id)
			}
			byID[c.id] = append(byID[c.id], c)
		}
		pending := map[string][]fkCol{}
		for _, id := range ids {
			cs := byID[id]
			var from []string
			for _, c := range cs {
				from = append(from, c.from)
			}
			pending["("+strings.Join(from, ", ")+")"] = cs
		}
		for key, cs := range pending {
			f := fk{refTable: cs[0].ref, onDelete: strings.ToLower(cs[0].onDelete)}
			for _, c := range cs {
				f.refColumns = append(f.refColumns, c.to.String)
			}
			tb.fks[key] = f
		}
	}
	// A reference without columns names the referenced table's primary key.
	for _, tb := range out.tables {
		for key, f := range tb.fks {
			if len(f.refColumns) > 0 && f.refColumns[0] == "" {
				if ref, ok := out.tables[f.refTable]; ok {
					f.refColumns = append([]string(nil), ref.pk...)
					tb.fks[key] = f
				}
			}
		}
	}
	return out
}

func exprOr(c sql.NullString) string {
	if !c.Valid || c.String == "" {
		return "<expr>"
	}
	return c.String
}

// readPostgres reads the schema of the connection's current schema from
// information_schema and pg_catalog.
func readPostgres(t *testing.T, db *store.DB) schema {
	t.Helper()
	s := sqlDB(t, db)
	out := schema{dialect: store.Postgres, tables: map[string]*table{}, views: map[string]bool{}}
	query(t, s, `SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = current_schema()`, nil,
		func(r *sql.Rows) error {
			var name, typ string
			if err := r.Scan(&name, &typ); err != nil {
				return err
			}
			if typ == "VIEW" {
				out.views[name] = true
			} else {
				out.tables[name] = &table{columns: map[string]column{}, indexes: map[string]index{}, fks: map[string]fk{}}
			}
			return nil
		})
	query(t, s, `SELECT c.table_name, c.column_name, c.data_type, c.is_nullable
		FROM information_schema.columns c JOIN information_schema.tables t
		  ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
		WHERE c.table_schema = current_schema()`, nil, func(r *sql.Rows) error {
		var tbl, col, typ, nullable string
		if err := r.Scan(&tbl, &col, &typ, &nullable); err != nil {
			return err
		}
		out.tables[tbl].columns[col] = column{class: classOf(store.Postgres, typ), notNull: nullable == "NO"}
		return nil
	})
	// Constraints: primary keys, unique constraints and foreign keys, with
	// their columns (and referenced columns) in key order.
	query(t, s, `SELECT rel.relname, con.contype,
		  ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(n, o)
		        JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.o)::text,
		  COALESCE(ref.relname, ''),
		  COALESCE(ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(n, o)
		        JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.o)::text, '{}'),
		  con.confdeltype
		FROM pg_constraint con
		JOIN pg_class rel ON rel.oid = con.conrelid
		JOIN pg_namespace ns ON ns.oid = rel.relnamespace AND ns.nspname = current_schema()
		LEFT JOIN pg_class ref ON ref.oid = con.confrelid
		WHERE con.contype IN ('p', 'u', 'f')`, nil, func(r *sql.Rows) error {
		var tbl, typ, cols, ref, refCols, del string
		if err := r.Scan(&tbl, &typ, &cols, &ref, &refCols, &del); err != nil {
			return err
		}
		tb := out.tables[tbl]
		switch typ {
		case "p":
			tb.pk = pgArray(cols)
		case "u":
			tb.indexes[constraintKey(pgArray(cols))] = index{columns: pgArray(cols), unique: true}
		case "f":
			tb.fks["("+strings.Join(pgArray(cols), ", ")+")"] = fk{refTable: ref, refColumns: pgArray(refCols), onDelete: pgAction(del)}
		}
		return nil
	})
	// Indexes that no constraint owns (CREATE [UNIQUE] INDEX).
	query(t, s, `SELECT tbl.relname, idx.relname, i.indisunique, i.indpred IS NOT NULL,
		  ARRAY(SELECT COALESCE(a.attname, '<expr>') FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(n, o)
		        LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n ORDER BY k.o)::text
		FROM pg_index i
		JOIN pg_class idx ON idx.oid = i.indexrelid
		JOIN pg_class tbl ON tbl.oid = i.indrelid
		JOIN pg_namespace ns ON ns.oid = tbl.relnamespace AND ns.nspname = current_schema()
		WHERE NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u'))`, nil,
		func(r *sql.Rows) error {
			var tbl, name, cols string
			var unique, partial bool
			if err := r.Scan(&tbl, &name, &unique, &partial, &cols); err != nil {
				return err
			}
			if tb, ok := out.tables[tbl]; ok {
				tb.indexes[name] = index{columns: pgArray(cols), unique: unique, partial: partial}
			}
			return nil
		})
	return out
}

// pgArray splits a text[] rendered as text ({a,b} or {"a b"}).
func pgArray(s string) []string {
	s = strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}")
	if s == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	for i, p := range parts {
		parts[i] = strings.Trim(p, `"`)
	}
	return parts
}

// pgAction names a pg_constraint.confdeltype the way SQLite's pragma does.
func pgAction(c string) string {
	switch c {
	case "a":
		return "no action"
	case "r":
		return "restrict"
	case "c":
		return "cascade"
	case "n":
		return "set null"
	case "d":
		return "set default"
	}
	return "?" + c
}

// diffSchemas lists every difference between the two schemas, each naming
// the table and the column, key, index or foreign key.
func diffSchemas(pg, lite schema) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	for _, name := range union(keys(pg.views), keys(lite.views)) {
		if !pg.views[name] {
			add("view %s: only in sqlite", name)
		} else if !lite.views[name] {
			add("view %s: only in postgres", name)
		}
	}
	for _, name := range union(keys(pg.tables), keys(lite.tables)) {
		p, l := pg.tables[name], lite.tables[name]
		switch {
		case p == nil:
			add("table %s: only in sqlite", name)
			continue
		case l == nil:
			add("table %s: only in postgres", name)
			continue
		}
		for _, c := range union(keys(p.columns), keys(l.columns)) {
			pc, inP := p.columns[c]
			lc, inL := l.columns[c]
			switch {
			case !inP:
				add("column %s.%s: only in sqlite", name, c)
			case !inL:
				add("column %s.%s: only in postgres", name, c)
			default:
				if !classesMatch(pc.class, lc.class) {
					add("column %s.%s: type class %s in postgres, %s in sqlite", name, c, pc.class, lc.class)
				}
				if pc.notNull != lc.notNull {
					add("column %s.%s: %s in postgres, %s in sqlite", name, c, nullability(pc.notNull), nullability(lc.notNull))
				}
			}
		}
		if strings.Join(p.pk, ",") != strings.Join(l.pk, ",") {
			add("table %s: primary key (%s) in postgres, (%s) in sqlite", name, strings.Join(p.pk, ", "), strings.Join(l.pk, ", "))
		}
		for _, k := range union(keys(p.indexes), keys(l.indexes)) {
			pi, inP := p.indexes[k]
			li, inL := l.indexes[k]
			switch {
			case !inP:
				add("index %s on %s %s: only in sqlite", k, name, li)
			case !inL:
				add("index %s on %s %s: only in postgres", k, name, pi)
			case pi.String() != li.String():
				add("index %s on %s: %s in postgres, %s in sqlite", k, name, pi, li)
			}
		}
		for _, k := range union(keys(p.fks), keys(l.fks)) {
			pf, inP := p.fks[k]
			lf, inL := l.fks[k]
			switch {
			case !inP:
				add("foreign key %s%s -> %s: only in sqlite", name, k, lf)
			case !inL:
				add("foreign key %s%s -> %s: only in postgres", name, k, pf)
			case pf.String() != lf.String():
				add("foreign key %s%s: -> %s in postgres, -> %s in sqlite", name, k, pf, lf)
			}
		}
	}
	return out
}

func nullability(notNull bool) string {
	if notNull {
		return "NOT NULL"
	}
	return "nullable"
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func union(a, b []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range append(a, b...) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

func bothSchemas(t *testing.T) (*store.DB, *store.DB) {
	t.Helper()
	return storetest.Open(t, store.Postgres), storetest.Open(t, store.SQLite)
}

// TestSchemaParity applies both dialects' migrations to fresh databases and
// requires the same tables, columns, keys, indexes and foreign keys.
func TestSchemaParity(t *testing.T) {
	pgDB, liteDB := bothSchemas(t)
	pg, lite := readPostgres(t, pgDB), readSQLite(t, liteDB)
	if len(pg.tables) == 0 || len(lite.tables) == 0 {
		t.Fatalf("read no tables: %d in postgres, %d in sqlite", len(pg.tables), len(lite.tables))
	}
	for _, d := range diffSchemas(pg, lite) {
		t.Error(d)
	}
	var cols, idx, fks int
	for _, tb := range pg.tables {
		cols, idx, fks = cols+len(tb.columns), idx+len(tb.indexes), fks+len(tb.fks)
	}
	t.Logf("compared %d tables, %d columns, %d unique constraints and indexes, %d foreign keys", len(pg.tables), cols, idx, fks)
}

// TestSchemaParitySeesDifferences changes each database after migrating and
// checks that the comparison reports every change by name, so a parity test
// that passes means something.
func TestSchemaParitySeesDifferences(t *testing.T) {
	pgDB, liteDB := bothSchemas(t)
	ctx := context.Background()
	for _, stmt := range []string{
		`ALTER TABLE tenants ADD COLUMN parity_extra TEXT`,
		`CREATE INDEX parity_extra_index ON customers (tenant_id, email)`,
		`ALTER TABLE invoices ALTER COLUMN note DROP NOT NULL`,
		`DROP INDEX invoices_period_slot`,
		`CREATE UNIQUE INDEX invoices_period_slot ON invoices (tenant_id, subscription_id, billing_reason, period_start)`,
		`CREATE TABLE parity_only (id TEXT PRIMARY KEY, customer_id TEXT REFERENCES customers(id))`,
	} {
		if err := pgDB.WithContext(ctx).Exec(stmt).Error; err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	if err := liteDB.WithContext(ctx).Exec(`ALTER TABLE plans ADD COLUMN parity_sqlite BIGINT NOT NULL DEFAULT 0`).Error; err != nil {
		t.Fatal(err)
	}
	got := strings.Join(diffSchemas(readPostgres(t, pgDB), readSQLite(t, liteDB)), "\n")
	for _, want := range []string{
		"column tenants.parity_extra: only in postgres",
		"index parity_extra_index on customers (tenant_id, email): only in postgres",
		"column invoices.note: nullable in postgres, NOT NULL in sqlite",
		"index invoices_period_slot on invoices: unique (tenant_id, subscription_id, billing_reason, period_start) in postgres, unique (tenant_id, subscription_id, billing_reason, period_start) partial in sqlite",
		"table parity_only: only in postgres",
		"column plans.parity_sqlite: only in sqlite",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the comparison does not report %q; it reports:\n%s", want, got)
		}
	}
}

// TestTypeClasses pins the documented type mapping.
func TestTypeClasses(t *testing.T) {
	for _, c := range []struct {
		pg, lite string
		match    bool
	}{
		{"numeric", "TEXT", true}, {"jsonb", "TEXT", true}, {"timestamp with time zone", "DATETIME", true},
		{"bigint", "BIGINT", true}, {"integer", "INTEGER", true}, {"bytea", "BLOB", true}, {"boolean", "BOOLEAN", true},
		{"text", "TEXT", true}, {"bigint", "INTEGER", false}, {"text", "DATETIME", false}, {"numeric", "BIGINT", false},
		{"timestamp with time zone", "TEXT", false}, {"interval", "TEXT", false},
	} {
		if got := classesMatch(classOf(store.Postgres, c.pg), classOf(store.SQLite, c.lite)); got != c.match {
			t.Errorf("postgres %s vs sqlite %s: match %v, want %v", c.pg, c.lite, got, c.match)
		}
	}
}
