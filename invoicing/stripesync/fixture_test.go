package stripesync_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/app"
	"github.com/tallyhq/tally/credits"
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/invoicing"
	"github.com/tallyhq/tally/invoicing/stripesync"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/plans"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/tenants"
)

var now = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// env is Tally's services on one fresh database, with one tenant.
type env struct {
	t        *testing.T
	ctx      context.Context
	db       *store.DB
	clock    *domain.FixedClock
	inv      *invoicing.Service
	cs       *customers.Service
	ps       *plans.Service
	tenantID string
	periods  int
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	clock := domain.NewFixedClock(now)
	ms := meters.NewService(db, clock, nil)
	ps := plans.NewService(db, clock, app.CatalogMeters(ms), ms, customers.NewPlanUsage(db), nil)
	cs := customers.NewService(db, clock, ps, nil)
	inv := invoicing.NewService(db, clock, cs, ms, credits.NewService(db, clock, nil), nil, nil, nil, quiet)
	t.Cleanup(inv.Close)
	ten, _, err := tenants.NewService(db, clock).CreateTenant(ctx, tenants.CreateTenantInput{Name: "Acme"})
	if err != nil {
		t.Fatalf("create tenant: %v", err)
	}
	return &env{t: t, ctx: ctx, db: db, clock: clock, inv: inv, cs: cs, ps: ps, tenantID: ten.ID}
}

// syncer returns a Syncer against base with fast retries; cfg's non-zero
// fields override.
func (e *env) syncer(base string, cfg stripesync.Config) *stripesync.Syncer {
	cfg.APIBase = base
	if cfg.APIKey == "" {
		cfg.APIKey = "sk_test_tally"
	}
	if cfg.RatePerSecond == 0 {
		cfg.RatePerSecond = 1000
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = 300 * time.Millisecond
	}
	if cfg.MinBackoff == 0 {
		cfg.MinBackoff = 2 * time.Millisecond
	}
	if cfg.MaxBackoff == 0 {
		cfg.MaxBackoff = 10 * time.Millisecond
	}
	return stripesync.New(e.db, e.clock, e.inv, e.cs, cfg, nil, quiet)
}

// subscriber is a customer with a subscription to invoice.
type subscriber struct {
	customer customers.Customer
	subID    string
}

// customer makes a customer in currency with a subscription (to a plan
// with one arrear fee, so that nothing is drafted by itself).
func (e *env) customer(external, currency, email string) subscriber {
	e.t.Helper()
	c, err := e.cs.Create(e.ctx, e.tenantID, customers.CreateInput{ExternalID: external, Name: "Customer " + external, Email: email, Currency: currency})
	if err != nil {
		e.t.Fatalf("create customer: %v", err)
	}
	amount := decimal.RequireFromString("10")
	key := "plan_" + strings.ToLower(currency) + "_" + external
	if _, err := e.ps.Create(e.ctx, e.tenantID, plans.CreateInput{Key: key, Name: key, Currency: currency, Interval: "month",
		Prices: []plans.PriceInput{{Key: "base", Type: "fixed", Model: "flat", Amount: &amount, Cadence: "arrear"}}}); err != nil {
		e.t.Fatalf("create plan: %v", err)
	}
	start := now.AddDate(0, -6, 0)
	sub, err := e.inv.Subscribe(e.ctx, e.tenantID, customers.CreateSubscriptionInput{Customer: external, Plan: key, StartAt: &start})
	if err != nil {
		e.t.Fatalf("create subscription: %v", err)
	}
	return subscriber{customer: c, subID: sub.ID}
}

// line is a line to store: a description and an amount.
type line struct {
	desc   string
	amount string
}

// invoice stores a draft manual invoice with the lines (a manual invoice
// keeps its lines when finalized) and returns it.
func (e *env) invoice(s subscriber, lines ...line) invoicing.Invoice {
	e.t.Helper()
	e.periods++
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, e.periods, 0)
	end := start.AddDate(0, 1, 0)
	cur := s.customer.Currency
	id := domain.NewID(domain.PrefixInvoice)
	total := decimal.Zero
	for _, l := range lines {
		total = total.Add(decimal.RequireFromString(l.amount))
	}
	err := e.db.Gorm.Exec(`INSERT INTO invoices (id, tenant_id, status, billing_reason, customer_id, subscription_id, currency,
		period_start, period_end, subtotal, credits_applied, total, note, created_at, updated_at)
		VALUES (?, ?, 'draft', 'manual', ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?)`,
		id, e.tenantID, s.customer.ID, s.subID, string(cur), start.UnixMicro(), end.UnixMicro(),
		cur.Round(total), decimal.Zero, cur.Round(total), now, now).Error
	if err != nil {
		e.t.Fatalf("insert invoice: %v", err)
	}
	for i, l := range lines {
		e.insertLine(id, i, l, start, end)
	}
	return e.get(id)
}

func (e *env) insertLine(invoiceID string, pos int, l line, start, end time.Time) {
	e.t.Helper()
	err := e.db.Gorm.Exec(`INSERT INTO invoice_lines (invoice_id, position, price_key, type, meter, description, quantity, amount,
		period_start, period_end, tiers) VALUES (?, ?, ?, 'fixed', '', ?, ?, ?, ?, ?, 'null')`,
		invoiceID, pos, "price_"+string(rune('a'+pos)), l.desc, decimal.NewFromInt(1), decimal.RequireFromString(l.amount),
		start.UnixMicro(), end.UnixMicro()).Error
	if err != nil {
		e.t.Fatalf("insert line: %v", err)
	}
}

// relines replaces a draft's lines, as a recompute does.
func (e *env) relines(inv invoicing.Invoice, lines ...line) invoicing.Invoice {
	e.t.Helper()
	if err := e.db.Gorm.Exec(`DELETE FROM invoice_lines WHERE invoice_id = ?`, inv.ID).Error; err != nil {
		e.t.Fatal(err)
	}
	total := decimal.Zero
	for i, l := range lines {
		e.insertLine(inv.ID, i, l, inv.Period.Start, inv.Period.End)
		total = total.Add(decimal.RequireFromString(l.amount))
	}
	total = inv.Currency.Round(total)
	if err := e.db.Gorm.Exec(`UPDATE invoices SET subtotal = ?, total = ? WHERE id = ?`, total, total, inv.ID).Error; err != nil {
		e.t.Fatal(err)
	}
	return e.get(inv.ID)
}

func (e *env) get(id string) invoicing.Invoice {
	e.t.Helper()
	inv, err := e.inv.Get(e.ctx, e.tenantID, id)
	if err != nil {
		e.t.Fatalf("get invoice: %v", err)
	}
	return inv
}

// finalize finalizes a draft a minute later than anything before (Tally
// knows an invoice changed since its sync by the clock).
func (e *env) finalize(inv invoicing.Invoice) invoicing.Invoice {
	e.t.Helper()
	e.clock.Advance(time.Minute)
	out, err := e.inv.Finalize(e.ctx, e.tenantID, inv.ID)
	if err != nil {
		e.t.Fatalf("finalize: %v", err)
	}
	return out
}
