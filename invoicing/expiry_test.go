package invoicing_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/credits"
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
	"github.com/tallyhq/tally/tenants"
	"github.com/tallyhq/tally/webhooks"
	"gorm.io/gorm"
)

// flakyOutbox fails every event while down, else records it through the
// real outbox.
type flakyOutbox struct {
	down bool
	real *webhooks.Service
}

func (o *flakyOutbox) EmitTx(tx *gorm.DB, tenantID string, e webhooks.Event) (string, error) {
	if o.down {
		return "", errors.New("outbox down")
	}
	return o.real.EmitTx(tx, tenantID, e)
}

// TestCreditExpiryAndItsEventCommitTogether: the expiry entry and
// credits.expired are one transaction — with the outbox failing, the
// expiry is not recorded either (no event for a change that rolled back,
// and the next run still finds it due); once the outbox works, both are
// written, once.
func TestCreditExpiryAndItsEventCommitTogether(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := domain.NewFixedClock(time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC))
		out := &flakyOutbox{down: true, real: webhooks.NewService(db, clock)}
		sv := newServices(t, db, clock, out)
		cs, cr, inv := sv.customers, sv.credits, sv.invoicing
		ten, _, err := tenants.NewService(db, clock).CreateTenant(ctx, tenants.CreateTenantInput{Name: "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		cu, err := cs.Create(ctx, ten.ID, customers.CreateInput{ExternalID: "acme", Currency: "USD"})
		if err != nil {
			t.Fatal(err)
		}
		amount, expires := decimal.NewFromInt(10), time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC)
		if _, err := cr.Create(ctx, ten.ID, cu.ID, cu.Currency, credits.CreateInput{Amount: &amount, ExpiresAt: &expires}); err != nil {
			t.Fatal(err)
		}
		count := func(table, where string, args ...any) int64 {
			var n int64
			if err := db.Gorm.Table(table).Where(where, args...).Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			return n
		}
		clock.Set(expires)
		if _, err := inv.ExpireCredits(ctx, ten.ID); err == nil {
			t.Fatal("the expiry was recorded although its event could not be")
		}
		if n := count("credit_ledger", "kind = ?", "expiry"); n != 0 {
			t.Errorf("%d expiry entries stored without their event", n)
		}
		out.down = false
		for run := 0; run < 2; run++ {
			if n, err := inv.ExpireCredits(ctx, ten.ID); err != nil || n != 1-run {
				t.Fatalf("run %d: recorded %d (%v), want %d", run, n, err, 1-run)
			}
		}
		if e, l := count("webhook_events", "type = ?", webhooks.CreditsExpired), count("credit_ledger", "kind = ?", "expiry"); e != 1 || l != 1 {
			t.Errorf("%d events and %d expiry entries, want one of each", e, l)
		}
	})
}
