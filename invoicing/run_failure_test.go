package invoicing_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/app"
	"github.com/tallyhq/tally/credits"
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/invoicing"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/plans"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
	"github.com/tallyhq/tally/tenants"
	"github.com/tallyhq/tally/webhooks"
	"gorm.io/gorm"
)

// poisonedOutbox refuses the events of one customer (while poisoned is
// set), one at a time or in a batch, and records the others through the
// real outbox.
type poisonedOutbox struct {
	poisoned string
	real     *webhooks.Service
}

func (o *poisonedOutbox) refuses(es []webhooks.Event) bool {
	for _, e := range es {
		if o.poisoned != "" && e.CustomerID == o.poisoned {
			return true
		}
	}
	return false
}

func (o *poisonedOutbox) EmitTx(tx *gorm.DB, tenantID string, e webhooks.Event) (string, error) {
	if o.refuses([]webhooks.Event{e}) {
		return "", errors.New("outbox refuses the event")
	}
	return o.real.EmitTx(tx, tenantID, e)
}

func (o *poisonedOutbox) EmitManyTx(tx *gorm.DB, tenantID string, es []webhooks.Event) ([]string, error) {
	if o.refuses(es) {
		return nil, errors.New("outbox refuses an event of the batch")
	}
	return o.real.EmitManyTx(tx, tenantID, es)
}

// services are the services below the API on db, with outbox.
type services struct {
	plans     *plans.Service
	customers *customers.Service
	credits   *credits.Service
	invoicing *invoicing.Service
}

func newServices(t *testing.T, db *store.DB, clock domain.Clock, outbox invoicing.Outbox) services {
	ms := meters.NewService(db, clock, nil)
	ps := plans.NewService(db, clock, app.CatalogMeters(ms), ms, customers.NewPlanUsage(db), nil)
	cs := customers.NewService(db, clock, ps, nil)
	cr := credits.NewService(db, clock, nil)
	inv := invoicing.NewService(db, clock, cs, ms, cr, outbox, nil, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(inv.Close)
	return services{plans: ps, customers: cs, credits: cr, invoicing: inv}
}

// TestAPageThatFailsMidwayLeavesNothingHalfWrittenAndTheNextRunCompletes:
// the invoice.created event of one subscription in the middle of a page
// cannot be written, so the page's transaction fails after its invoices
// and lines were inserted. Nothing of the page is left half-written: every
// stored invoice has its lines and its event, the other subscriptions of
// the page are still invoiced (one at a time), the failing one is recorded
// and holds no invoice. Once the outbox takes its events, the next run
// drafts exactly what was missing, and every period holds one invoice.
func TestAPageThatFailsMidwayLeavesNothingHalfWrittenAndTheNextRunCompletes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := domain.NewFixedClock(time.Date(2026, 4, 10, 0, 0, 0, 0, time.UTC))
		out := &poisonedOutbox{real: webhooks.NewService(db, clock)}
		sv := newServices(t, db, clock, out)
		ps, cs, inv := sv.plans, sv.customers, sv.invoicing
		inv.SetRunPageSize(5)
		ten, _, err := tenants.NewService(db, clock).CreateTenant(ctx, tenants.CreateTenantInput{Name: "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		fee := decimal.NewFromInt(10)
		if _, err := ps.Create(ctx, ten.ID, plans.CreateInput{Key: "arrear", Currency: "USD", Interval: "month",
			Prices: []plans.PriceInput{{Key: "base", Type: "fixed", Model: "flat", Amount: &fee, Cadence: "arrear"}}}); err != nil {
			t.Fatal(err)
		}
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		var victim string
		for i := 0; i < 12; i++ {
			cu, err := cs.Create(ctx, ten.ID, customers.CreateInput{ExternalID: fmt.Sprintf("c%02d", i), Currency: "USD"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := inv.Subscribe(ctx, ten.ID, customers.CreateSubscriptionInput{Customer: cu.ExternalID, Plan: "arrear", StartAt: &start}); err != nil {
				t.Fatal(err)
			}
			if i == 7 { // the third subscription of the second page
				victim = cu.ID
			}
		}
		count := func(q string, args ...any) int64 {
			t.Helper()
			var n int64
			if err := db.Gorm.Raw(q, args...).Scan(&n).Error; err != nil {
				t.Fatal(err)
			}
			return n
		}
		whole := func(when string) {
			t.Helper()
			invoices := count("SELECT count(*) FROM invoices WHERE tenant_id = ?", ten.ID)
			bare := count("SELECT count(*) FROM invoices i WHERE tenant_id = ? AND NOT EXISTS (SELECT 1 FROM invoice_lines l WHERE l.invoice_id = i.id)", ten.ID)
			events := count("SELECT count(*) FROM webhook_events WHERE tenant_id = ? AND type = ?", ten.ID, webhooks.InvoiceCreated)
			if bare != 0 || events != invoices {
				t.Errorf("%s: %d invoices, %d of them without lines, %d invoice.created events", when, invoices, bare, events)
			}
		}
		asOf := clock.Now(ctx)
		out.poisoned = victim
		run, err := inv.StartRun(ctx, ten.ID, &asOf, true)
		if err != nil {
			t.Fatal(err)
		}
		if run.Status != invoicing.RunCompletedWithFailures || len(run.Failed) != 1 || run.InvoicesCreated != 11*3 {
			t.Fatalf("the poisoned run: %s, %d created, failures %v; want completed_with_failures, 33 created, one failure", run.Status, run.InvoicesCreated, run.Failed)
		}
		if n := count("SELECT count(*) FROM invoices WHERE customer_id = ?", victim); n != 0 {
			t.Errorf("the failing subscription holds %d invoices, want none", n)
		}
		whole("after the failing run")
		out.poisoned = ""
		run, err = inv.StartRun(ctx, ten.ID, &asOf, true)
		if err != nil {
			t.Fatal(err)
		}
		if run.Status != invoicing.RunCompleted || run.InvoicesCreated != 3 || run.InvoicesExisting != 33 {
			t.Fatalf("the next run: %s, %d created, %d existing, failures %v; want completed, 3 created, 33 existing", run.Status, run.InvoicesCreated, run.InvoicesExisting, run.Failed)
		}
		whole("after the next run")
		if n := count("SELECT count(*) FROM (SELECT subscription_id, period_start FROM invoices WHERE tenant_id = ? GROUP BY subscription_id, period_start HAVING count(*) > 1) d", ten.ID); n != 0 {
			t.Errorf("%d periods hold more than one invoice", n)
		}
		if n := count("SELECT count(*) FROM invoices WHERE tenant_id = ?", ten.ID); n != 12*3 {
			t.Errorf("%d invoices, want 36 (12 subscriptions × January–March)", n)
		}
	})
}
