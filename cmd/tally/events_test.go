package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/app"
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/invoicing"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/plans"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
	"github.com/tallyhq/tally/tenants"
)

// TestEventsArchiveRefusesWhileDraftsNeedTheMonth: on Postgres, tally
// events archive refuses while a draft invoice's period starts before
// --before, detaches the month once that draft is finalized, and the
// month then takes no more events; on SQLite it is refused.
func TestEventsArchiveRefusesWhileDraftsNeedTheMonth(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			url := storetest.URL(t, d)
			t.Setenv("TALLY_DATABASE_URL", url)
			ctx := context.Background()
			clock := domain.NewFixedClock(time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC))
			a, err := app.Open(ctx, app.Config{DatabaseURL: url, LogLevel: "error"}, clock, app.NewLogger("error"))
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			svc := a.Services
			tn, _, err := svc.Tenants.CreateTenant(ctx, tenants.CreateTenantInput{Name: "cli"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Meters.Create(ctx, tn.ID, meters.CreateInput{Key: "calls", EventName: "call", Aggregation: meters.Aggregation{Type: meters.Count}}); err != nil {
				t.Fatal(err)
			}
			fee := decimal.RequireFromString("10")
			if _, err := svc.Plans.Create(ctx, tn.ID, plans.CreateInput{Key: "p", Currency: "USD", Interval: "month",
				Prices: []plans.PriceInput{{Key: "base", Type: "fixed", Model: "flat", Amount: &fee, Cadence: "arrear"}}}); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Customers.Create(ctx, tn.ID, customers.CreateInput{ExternalID: "c", Currency: "USD"}); err != nil {
				t.Fatal(err)
			}
			start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			if _, err := svc.Customers.CreateSubscription(ctx, tn.ID, customers.CreateSubscriptionInput{Customer: "c", Plan: "p", StartAt: &start}); err != nil {
				t.Fatal(err)
			}
			jan, feb := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC), time.Date(2026, 2, 10, 0, 0, 0, 0, time.UTC)
			if _, err := svc.Meters.Ingest(ctx, tn.ID, []meters.EventInput{{ID: "a", EventName: "call", Customer: "c", Timestamp: &jan},
				{ID: "b", EventName: "call", Customer: "c", Timestamp: &feb}}); err != nil {
				t.Fatal(err)
			}
			asOf := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
			if _, err := svc.Invoicing.StartRun(ctx, tn.ID, &asOf, true); err != nil {
				t.Fatal(err)
			}
			if d == store.SQLite {
				code, _, errOut := tally(t, "events", "archive", "--before", "2026-02-01")
				if code != 1 || !strings.Contains(errOut, "needs PostgreSQL") {
					t.Fatalf("sqlite: exit %d: %s", code, errOut)
				}
				return
			}
			code, _, errOut := tally(t, "events", "archive", "--before", "2026-02-01")
			if code != 1 || !strings.Contains(errOut, "1 draft invoice(s)") {
				t.Fatalf("with a January draft: exit %d: %s", code, errOut)
			}
			drafts, err := svc.Invoicing.List(ctx, tn.ID, invoicing.Query{Status: invoicing.Draft}, domain.Page{Limit: 10})
			if err != nil || len(drafts.Data) != 1 {
				t.Fatalf("drafts: %+v, %v", drafts, err)
			}
			if _, err := svc.Invoicing.Finalize(ctx, tn.ID, drafts.Data[0].ID); err != nil {
				t.Fatal(err)
			}
			out := mustTally(t, "events", "archive", "--before", "2026-02-01")
			if !strings.Contains(out, "detached events_p202601") {
				t.Fatalf("archive: %s", out)
			}
			late := time.Date(2026, 1, 20, 0, 0, 0, 0, time.UTC)
			res, err := svc.Meters.Ingest(ctx, tn.ID, []meters.EventInput{{ID: "late", EventName: "call", Customer: "c", Timestamp: &late, Properties: json.RawMessage(`{}`)}})
			if err != nil || len(res.Rejected) != 1 || res.Accepted != 0 {
				t.Fatalf("a late January event after archiving: %+v, %v", res, err)
			}
		})
	}
}
