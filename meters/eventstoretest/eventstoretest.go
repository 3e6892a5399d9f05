// Package eventstoretest is the conformance suite of meters.EventStore:
// every implementation runs Run and must pass it, as River's drivers share
// one test suite. Each case checks one guarantee of the EventStore contract
// through the interface alone, on a fresh store, so a store added by
// writing one package is checked by calling Run from its tests.
package eventstoretest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/tenants"
	"gorm.io/gorm"
)

// Env is one fresh store under test and what the suite needs around it.
type Env struct {
	// Store is the store under test, holding no events yet.
	Store meters.EventStore
	// Tenant and OtherTenant are two tenants the store takes events for.
	Tenant, OtherTenant string
	// CreateMeter makes a meter of Tenant known wherever Store needs it
	// (the meters table of its database) and returns it with its ID.
	CreateMeter func(t *testing.T, in meters.CreateInput) meters.Meter
	// InTx, when not nil, runs fn in a caller's transaction that Store's
	// writes can join (committed when fn returns nil, else rolled back).
	// Stores that cannot join one leave it nil, and those cases skip.
	InTx func(ctx context.Context, fn func(tx *gorm.DB) error) error
}

// OnDB is the Env of a store keeping its events in db (migrated, fresh):
// two tenants and meters are created through packages tenants and meters,
// and caller transactions are db.Tx's.
func OnDB(t *testing.T, db *store.DB, es meters.EventStore) Env {
	t.Helper()
	ctx := context.Background()
	ts := tenants.NewService(db, domain.SystemClock{})
	newTenant := func(name string) string {
		tn, _, err := ts.CreateTenant(ctx, tenants.CreateTenantInput{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		return tn.ID
	}
	env := Env{Store: es, Tenant: newTenant("conformance"), OtherTenant: newTenant("other"), InTx: db.Tx}
	ms := meters.NewServiceWithStore(db, es, domain.SystemClock{}, nil)
	env.CreateMeter = func(t *testing.T, in meters.CreateInput) meters.Meter {
		t.Helper()
		m, err := ms.Create(ctx, env.Tenant, in)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	return env
}

// Run runs every conformance case against stores made by open, one fresh
// store per group of cases.
func Run(t *testing.T, open func(t *testing.T) Env) {
	groups := []struct {
		name string
		run  func(t *testing.T, h *harness)
	}{
		{"exactly once", testExactlyOnce},
		{"caller transactions", testCallerTransactions},
		{"aggregations", testAggregations},
		{"value equality", testValueEquality},
		{"latest ties", testLatestTies},
		{"unit days", testUnitDays},
		{"usage series", testSeries},
		{"listing", testListing},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			h := &harness{env: open(t), ctx: context.Background()}
			g.run(t, h)
		})
	}
}

// harness wraps an Env with the meters created so far, so that every
// write feeds all meters of its event names, as Service does.
type harness struct {
	env    Env
	ctx    context.Context
	meters []meters.Meter
	n      int
}

func (h *harness) meter(t *testing.T, typ meters.AggregationType, field, event string, filters meters.Filters) meters.Meter {
	t.Helper()
	h.n++
	m := h.env.CreateMeter(t, meters.CreateInput{Key: fmt.Sprintf("m%d_%s", h.n, typ), EventName: event,
		Aggregation: meters.Aggregation{Type: typ, Field: field}, Filters: filters})
	h.meters = append(h.meters, m)
	return m
}

func (h *harness) feeds(batch []meters.NewEvent) []meters.Meter {
	names := map[string]bool{}
	for _, e := range batch {
		names[e.EventName] = true
	}
	var out []meters.Meter
	for _, m := range h.meters {
		if names[m.EventName] {
			out = append(out, m)
		}
	}
	return out
}

func (h *harness) writeTx(t *testing.T, tx *gorm.DB, tenant string, batch ...meters.NewEvent) []bool {
	t.Helper()
	fresh, err := h.env.Store.WriteEvents(h.ctx, tx, tenant, batch, h.feeds(batch))
	if err != nil {
		t.Fatal(err)
	}
	if len(fresh) != len(batch) {
		t.Fatalf("WriteEvents reported %d results for %d events", len(fresh), len(batch))
	}
	return fresh
}

func (h *harness) write(t *testing.T, batch ...meters.NewEvent) []bool {
	t.Helper()
	return h.writeTx(t, nil, h.env.Tenant, batch...)
}

// writeEach writes the events one batch each, in the order given.
func (h *harness) writeEach(t *testing.T, batch ...meters.NewEvent) {
	t.Helper()
	for _, e := range batch {
		h.write(t, e)
	}
}

func (h *harness) ensure(t *testing.T, m meters.Meter, f meters.Filters) {
	t.Helper()
	if err := h.env.Store.EnsureSeries(h.ctx, nil, m, f, time.Now()); err != nil {
		t.Fatal(err)
	}
}

func (h *harness) quantity(t *testing.T, m meters.Meter, customer string, f meters.Filters, w meters.Window) decimal.Decimal {
	t.Helper()
	q, err := h.env.Store.Quantity(h.ctx, h.env.Tenant, m, customer, f, w)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// all lists every event of the tenant matching q, paging by limit.
func (h *harness) all(t *testing.T, tenant string, q meters.EventQuery, limit int) []meters.Event {
	t.Helper()
	var out []meters.Event
	var after *meters.EventKey
	for {
		page, err := h.env.Store.ListEvents(h.ctx, tenant, q, after, limit)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page...)
		if len(page) < limit {
			return out
		}
		last := page[len(page)-1]
		after = &meters.EventKey{Timestamp: last.Timestamp, ID: last.ID}
	}
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func ev(id, customer, name, ts, props string) meters.NewEvent {
	return meters.NewEvent{ID: id, EventName: name, Customer: customer, Timestamp: at(ts),
		Properties: json.RawMessage(props), ReceivedAt: at(ts)}
}

func period(start, end string) meters.Window {
	return meters.Window{Period: domain.Period{Start: at(start), End: at(end)}}
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func filtersOf(t *testing.T, raw string) meters.Filters {
	t.Helper()
	var f meters.Filters
	if err := json.Unmarshal([]byte(raw), &f); err != nil {
		t.Fatal(err)
	}
	return f
}

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
