package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/app"
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/plans"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
	"github.com/tallyhq/tally/tenants"
)

func TestInvoiceCommandsRunListAndShowOnTheConfiguredDatabase(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			url := storetest.URL(t, d)
			t.Setenv("TALLY_DATABASE_URL", url)
			ctx := context.Background()
			a, err := app.Open(ctx, app.Config{DatabaseURL: url, LogLevel: "error"}, domain.NewFixedClock(time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)), app.NewLogger("error"))
			if err != nil {
				t.Fatal(err)
			}
			svc := a.Services
			tn, _, err := svc.Tenants.CreateTenant(ctx, tenants.CreateTenantInput{Name: "cli"})
			if err != nil {
				t.Fatal(err)
			}
			fee := decimal.RequireFromString("10")
			if _, err := svc.Plans.Create(ctx, tn.ID, plans.CreateInput{Key: "p", Currency: "JPY", Interval: "month",
				Prices: []plans.PriceInput{{Key: "base", Type: "fixed", Model: "flat", Amount: &fee, Cadence: "arrear"}}}); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Customers.Create(ctx, tn.ID, customers.CreateInput{ExternalID: "c", Currency: "JPY"}); err != nil {
				t.Fatal(err)
			}
			start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			if _, err := svc.Customers.CreateSubscription(ctx, tn.ID, customers.CreateSubscriptionInput{Customer: "c", Plan: "p", StartAt: &start}); err != nil {
				t.Fatal(err)
			}
			a.Close()

			out := mustTally(t, "invoice", "run", "--as-of", "2026-03-01T00:00:00Z")
			if !strings.Contains(out, "2 invoices created, 0 already existed, 0 failed") {
				t.Errorf("run summary: %s", out)
			}
			out = mustTally(t, "invoice", "run", "--as-of", "2026-03-01T00:00:00Z")
			if !strings.Contains(out, "0 invoices created, 2 already existed") {
				t.Errorf("second run summary: %s", out)
			}
			out = mustTally(t, "invoice", "list", "--tenant", tn.ID)
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != 3 || !strings.Contains(lines[1], "10 JPY") {
				t.Fatalf("list:\n%s", out)
			}
			id := strings.Fields(lines[1])[0]
			out = mustTally(t, "invoice", "show", id)
			if !strings.Contains(out, "total JPY") || !strings.Contains(out, id) {
				t.Errorf("show:\n%s", out)
			}
			if code, _, _ := tally(t, "invoice", "show", "inv_missing"); code != 1 {
				t.Errorf("showing an unknown invoice exits %d, want 1", code)
			}
		})
	}
}

// mustTally runs tally and fails the test unless it exits 0.
func mustTally(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := tally(t, args...)
	if code != 0 {
		t.Fatalf("tally %s: exit %d\n%s", strings.Join(args, " "), code, errOut)
	}
	return out
}

// TestInvoiceListShowsPeriodsInTheCustomersTimeZone drafts a Berlin
// December: its period reads 2026-12-01 → 2027-01-01, not the UTC dates
// 2026-11-30 → 2026-12-31.
func TestInvoiceListShowsPeriodsInTheCustomersTimeZone(t *testing.T) {
	url := storetest.URL(t, store.SQLite)
	t.Setenv("TALLY_DATABASE_URL", url)
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DatabaseURL: url, LogLevel: "error"}, domain.NewFixedClock(time.Date(2027, 1, 5, 0, 0, 0, 0, time.UTC)), app.NewLogger("error"))
	if err != nil {
		t.Fatal(err)
	}
	svc := a.Services
	tn, _, err := svc.Tenants.CreateTenant(ctx, tenants.CreateTenantInput{Name: "berlin"})
	if err != nil {
		t.Fatal(err)
	}
	fee := decimal.RequireFromString("10")
	if _, err := svc.Plans.Create(ctx, tn.ID, plans.CreateInput{Key: "p", Currency: "EUR", Interval: "month",
		Prices: []plans.PriceInput{{Key: "base", Type: "fixed", Model: "flat", Amount: &fee, Cadence: "arrear"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Customers.Create(ctx, tn.ID, customers.CreateInput{ExternalID: "c", Currency: "EUR", Timezone: "Europe/Berlin"}); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC) // 2026-12-01 00:00 in Berlin
	if _, err := svc.Customers.CreateSubscription(ctx, tn.ID, customers.CreateSubscriptionInput{Customer: "c", Plan: "p", StartAt: &start}); err != nil {
		t.Fatal(err)
	}
	a.Close()
	mustTally(t, "invoice", "run", "--as-of", "2027-01-02T00:00:00Z")
	out := mustTally(t, "invoice", "list")
	if !strings.Contains(out, "2026-12-01 → 2027-01-01") {
		t.Errorf("the Berlin December does not read 2026-12-01 → 2027-01-01:\n%s", out)
	}
	id := strings.Fields(strings.Split(out, "\n")[1])[0]
	if show := mustTally(t, "invoice", "show", id); !strings.Contains(show, "period [2026-12-01T00:00:00+01:00, 2027-01-01T00:00:00+01:00) Europe/Berlin") {
		t.Errorf("show:\n%s", show)
	}
}
