package invoicing_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tallyhq/tally/app/apptest"
	"github.com/tallyhq/tally/invoicing"
)

// TestARunKilledMidwayIsFinishedByTheNext cancels a run while it works
// (as a crash would stop it), then runs again: every period ends up with
// exactly one invoice.
func TestARunKilledMidwayIsFinishedByTheNext(t *testing.T) {
	apptest.Each(t, ts("2026-06-15T00:00:00Z"), func(t *testing.T, s *apptest.Server) {
		w := newWorld(t, s)
		for i := 0; i < 30; i++ {
			w.subscribe(fmt.Sprintf("c%d", i), "arrear", "2026-01-01T00:00:00Z", "")
		}
		svc := s.App.Services.Invoicing
		tenant := tenantOf(t, s, w.key)
		for delay := time.Millisecond; delay < 64*time.Millisecond; delay *= 4 {
			ctx, cancel := context.WithTimeout(context.Background(), delay)
			_, _ = svc.StartRun(ctx, tenant, tsp("2026-06-01T00:00:00Z"), true)
			cancel()
		}
		run, err := svc.StartRun(context.Background(), tenant, tsp("2026-06-01T00:00:00Z"), true)
		if err != nil {
			t.Fatal(err)
		}
		if run.Status != invoicing.RunCompleted || len(run.Failed) != 0 {
			t.Fatalf("the last run: %s, failures %v", run.Status, run.Failed)
		}
		if got := run.InvoicesCreated + run.InvoicesExisting; got != 30*5 {
			t.Errorf("created %d + existing %d, want 150 periods", run.InvoicesCreated, run.InvoicesExisting)
		}
		var n int64
		s.App.DB.Gorm.Table("invoices").Where("tenant_id = ?", tenant).Count(&n)
		if n != 150 {
			t.Errorf("%d invoices stored, want 150 (30 subscriptions × January–May)", n)
		}
	})
}

func tenantOf(t *testing.T, s *apptest.Server, key string) string {
	t.Helper()
	k, err := s.App.Services.Tenants.Authenticate(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return k.TenantID
}
