package store

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"gorm.io/gorm"
)

// A read replica (TALLY_READ_DATABASE_URL) serves the reads that accept
// replication lag: live previews (proposed invoices), usage series and the
// customer portal's versions of them, marked by ReplicaOK on the request's
// context. Everything else — every write, every read inside a
// transaction, invoice runs, finalization, credit balances, budgets — reads
// the primary, so that nothing billed or alerted on can miss a committed
// event. A replica lagging by d answers as the primary did d ago.

type replicaKey struct{}

// ReplicaOK returns ctx marked: reads under it may be served by the read
// replica, if one is attached.
func ReplicaOK(ctx context.Context) context.Context {
	return context.WithValue(ctx, replicaKey{}, true)
}

// ReplicaOKHandler is HTTP middleware marking every request it passes with
// ReplicaOK: for the routes and pages that are live views (the API's
// routes with Replica set, the portal's bill and usage).
func ReplicaOKHandler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(ReplicaOK(r.Context())))
	})
}

// PrimaryOnly returns ctx with ReplicaOK's mark undone: for a computation
// that must see every committed write, or whose result is kept (a cached
// credit balance), even when a live view asks for it.
func PrimaryOnly(ctx context.Context) context.Context {
	return context.WithValue(ctx, replicaKey{}, false)
}

// UsesReplica reports whether ctx was marked by ReplicaOK.
func UsesReplica(ctx context.Context) bool { v, _ := ctx.Value(replicaKey{}).(bool); return v }

// AttachReplica opens url as d's read replica (Replica). It must be a
// Postgres database of the same schema as a Postgres primary (a streaming
// replica of it); it is never migrated or written.
func (d *DB) AttachReplica(ctx context.Context, url string) error {
	if d.Dialect != Postgres || !(strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")) {
		return fmt.Errorf("a read replica needs a Postgres primary and a postgres:// url")
	}
	r, err := Open(ctx, url)
	if err != nil {
		return fmt.Errorf("read replica: %w", err)
	}
	d.Replica, d.replica = r.Gorm, r
	return nil
}

// Reader is the handle for a read under ctx: the replica when ctx is
// marked by ReplicaOK and one is attached, else the primary.
func (d *DB) Reader(ctx context.Context) *gorm.DB {
	if d.Replica != nil && UsesReplica(ctx) {
		return d.Replica.WithContext(ctx)
	}
	return d.Gorm.WithContext(ctx)
}
