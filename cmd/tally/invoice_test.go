package main

import (
	"bytes"
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

			var out bytes.Buffer
			if err := invoiceCmd(ctx, []string{"run", "--as-of", "2026-03-01T00:00:00Z"}, &out); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), "2 invoices created, 0 already existed, 0 failed") {
				t.Errorf("run summary: %s", out.String())
			}
			out.Reset()
			if err := invoiceCmd(ctx, []string{"run", "--as-of", "2026-03-01T00:00:00Z"}, &out); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), "0 invoices created, 2 already existed") {
				t.Errorf("second run summary: %s", out.String())
			}
			out.Reset()
			if err := invoiceCmd(ctx, []string{"list", "--tenant", tn.ID}, &out); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			if len(lines) != 3 || !strings.Contains(lines[1], "10 JPY") {
				t.Fatalf("list:\n%s", out.String())
			}
			id := strings.Fields(lines[1])[0]
			out.Reset()
			if err := invoiceCmd(ctx, []string{"show", id}, &out); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), "total JPY") || !strings.Contains(out.String(), id) {
				t.Errorf("show:\n%s", out.String())
			}
			if err := invoiceCmd(ctx, []string{"show", "inv_missing"}, &out); err == nil {
				t.Error("showing an unknown invoice did not fail")
			}
		})
	}
}
