package bench

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/tallyhq/tally/store"
)

// copyBaseline is the rate of pgx CopyFrom of the rows events [0, n) of e
// would be stored as (the same tenant, ids, columns and JSON) into a
// fresh table, dropped afterwards: shaped like events (LIKE events with its
// defaults, constraints and indexes, plus its foreign key to tenants) or
// bare (the same columns and primary key, nothing else). One connection,
// one COPY: the most a single writer gets out of this Postgres.
func copyBaseline(ctx context.Context, url, tenantID string, e events, n int, shaped bool) (float64, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return 0, fmt.Errorf("copy baseline: %w", err)
	}
	defer conn.Close(context.Background())
	table := "bench_copy_bare_" + randomKey()[:8]
	ddl := []string{"CREATE TABLE " + table + ` (tenant_id TEXT NOT NULL, id TEXT NOT NULL, event_name TEXT NOT NULL, customer TEXT NOT NULL,
		ts BIGINT NOT NULL, properties JSONB NOT NULL, received_at BIGINT NOT NULL, PRIMARY KEY (tenant_id, id))`}
	if shaped {
		table = "bench_copy_shaped_" + randomKey()[:8]
		ddl = []string{"CREATE TABLE " + table + " (LIKE events INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)",
			"ALTER TABLE " + table + " ADD FOREIGN KEY (tenant_id) REFERENCES tenants(id)"}
	}
	for _, q := range ddl {
		if _, err := conn.Exec(ctx, q); err != nil {
			return 0, fmt.Errorf("copy baseline: %s: %w", q, err)
		}
	}
	defer func() { _, _ = conn.Exec(context.Background(), "DROP TABLE "+table) }()
	received := time.Now().UnixMicro()
	i := 0
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if i >= n {
			return nil, nil
		}
		row := []any{tenantID, e.prefix + strconv.Itoa(i), eventName, e.customers[i%len(e.customers)], e.at(i).UnixMicro(),
			`{"model":"` + string("ab"[i%2]) + `","tokens":` + strconv.Itoa(tokens(i)) + `}`, received}
		i++
		return row, nil
	})
	t0 := time.Now()
	cols := []string{"tenant_id", "id", "event_name", "customer", "ts", "properties", "received_at"}
	copied, err := conn.CopyFrom(ctx, pgx.Identifier{table}, cols, src)
	took := time.Since(t0)
	if err != nil {
		return 0, fmt.Errorf("copy baseline: %w", err)
	}
	if int(copied) != n {
		return 0, fmt.Errorf("copy baseline: copied %d rows of %d", copied, n)
	}
	return perSecond(n, took), nil
}

// storedEvents counts the tenant's stored events.
func storedEvents(ctx context.Context, db *store.DB, tenantID string) (int64, error) {
	var n int64
	err := db.Gorm.WithContext(ctx).Raw("SELECT count(*) FROM events WHERE tenant_id = ?", tenantID).Scan(&n).Error
	return n, err
}
