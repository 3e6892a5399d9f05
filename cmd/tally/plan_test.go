package main

import (
	"context"
	"os"
	"path/filepath"
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

// A subscriber of "p" ($10 a month, in arrear) billed for January and
// February, backtested under "q" ($7 a month): −$6.00.
func TestPlanBacktestCommand(t *testing.T) {
	url := storetest.URL(t, store.SQLite)
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
	for key, amount := range map[string]string{"p": "10", "q": "7"} {
		fee := decimal.RequireFromString(amount)
		if _, err := svc.Plans.Create(ctx, tn.ID, plans.CreateInput{Key: key, Currency: "USD", Interval: "month",
			Prices: []plans.PriceInput{{Key: "base", Type: "fixed", Model: "flat", Amount: &fee, Cadence: "arrear"}}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.Customers.Create(ctx, tn.ID, customers.CreateInput{ExternalID: "c", Currency: "USD"}); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := svc.Customers.CreateSubscription(ctx, tn.ID, customers.CreateSubscriptionInput{Customer: "c", Plan: "p", StartAt: &start}); err != nil {
		t.Fatal(err)
	}
	a.Close()
	mustTally(t, "invoice", "run", "--as-of", "2026-03-01T00:00:00Z")
	file := filepath.Join(t.TempDir(), "bt.csv")
	out := mustTally(t, "plan", "backtest", "q", "--against", "p", "--from", "2026-01-01T00:00:00Z", "--to", "2026-03-01T00:00:00Z", "--csv", file)
	if !strings.Contains(out, "20.00") || !strings.Contains(out, "14.00") || !strings.Contains(out, "revenue delta -6.00 USD; 0 pay more, 1 less, 0 the same") ||
		!strings.Contains(out, "cost to serve 0.00 USD (meters' cost_per_unit): margin 20.00 USD had, 14.00 USD would") {
		t.Errorf("backtest:\n%s", out)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 3 || !strings.HasSuffix(lines[1], ",c,"+strings.Split(lines[1], ",")[2]+",2,20.00,14.00,-6.00") || lines[2] != "total,,,2,20.00,14.00,-6.00" {
		t.Errorf("csv:\n%s", b)
	}
	if code, _, _ := tally(t, "plan", "backtest", "q", "--from", "2026-01-01T00:00:00Z", "--to", "2026-03-01T00:00:00Z"); code == 0 {
		t.Error("a backtest without --against exits 0")
	}
}
