package invoicing_test

import (
	"context"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/app"
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/plans"
	"github.com/tallyhq/tally/tenants"
)

func tenantInput(name string) tenants.CreateTenantInput { return tenants.CreateTenantInput{Name: name} }

func seedPlan(t *testing.T, svc *app.Services, tenantID string) {
	t.Helper()
	fee := decimal.RequireFromString("31")
	_, err := svc.Plans.Create(context.Background(), tenantID, plans.CreateInput{Key: "pro", Currency: "USD", Interval: "month",
		Prices: []plans.PriceInput{{Key: "base", Type: "fixed", Model: "flat", Amount: &fee, Cadence: "advance"}}})
	if err != nil {
		t.Fatal(err)
	}
}

func subscribeDirect(t *testing.T, svc *app.Services, tenantID, ext string) {
	t.Helper()
	ctx := context.Background()
	if _, err := svc.Customers.Create(ctx, tenantID, customers.CreateInput{ExternalID: ext, Currency: "USD"}); err != nil {
		t.Fatal(err)
	}
	start := ts("2026-01-01T00:00:00Z")
	if _, err := svc.Invoicing.Subscribe(ctx, tenantID, customers.CreateSubscriptionInput{Customer: ext, Plan: "pro", StartAt: &start}); err != nil {
		t.Fatal(err)
	}
}
