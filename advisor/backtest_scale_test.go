package advisor_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/advisor"
	"github.com/tallyhq/tally/app/apptest"
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/invoicing"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/tenants"
)

// scaleSubscriptions is "a few thousand" (issue 11).
const scaleSubscriptions = 3000

// TestBacktestAtScale: 3,000 subscribers of std since January 1, each with
// its own usage in January and February (through the services: customers,
// subscriptions and batches of 1,000 events), billed by a real invoice run
// for both months. Backtesting std against itself over the two months
// gives a difference of 0 for every subscription, and its "had" and
// "would" totals are the sum of every invoice line those subscriptions got
// for January and February (the subscription_start fee and the two cycle
// invoices, less the February invoice's advance fee for March). The backtest reads
// subscriptions a page of 100 at a time and streams its rows to the
// callback (it keeps one difference per subscription for p50/p95).
func TestBacktestAtScale(t *testing.T) {
	jan := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	mar := jan.AddDate(0, 2, 0)
	apptest.Each(t, mar.Add(time.Hour), func(t *testing.T, s *apptest.Server) {
		ctx := context.Background()
		svc := s.App.Services
		ten, key, err := svc.Tenants.CreateTenant(ctx, tenants.CreateTenantInput{Name: "scale"})
		if err != nil {
			t.Fatal(err)
		}
		s.Must(201, "POST", "/v1/meters", key, map[string]any{"key": "units", "event_name": "u", "aggregation": map[string]any{"type": "sum", "field": "n"}})
		s.Must(201, "POST", "/v1/plans", key, stdPlan)

		// Customers and subscriptions through the services, 8 at a time
		// (each is a few short transactions: on Postgres commit latency,
		// not work, is what they wait on); events in batches of 1,000.
		began := time.Now()
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		next := make(chan int)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					cus := fmt.Sprintf("c%04d", i)
					if _, err := svc.Customers.Create(ctx, ten.ID, customers.CreateInput{ExternalID: cus, Currency: "USD"}); err != nil {
						errs <- err
						return
					}
					start := jan
					if _, err := svc.Invoicing.Subscribe(ctx, ten.ID, customers.CreateSubscriptionInput{Customer: cus, Plan: "std", StartAt: &start, BillingCycle: "calendar"}); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		for i := range scaleSubscriptions {
			select {
			case next <- i:
			case err := <-errs:
				t.Fatal(err)
			}
		}
		close(next)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		var batch []meters.EventInput
		for i := range scaleSubscriptions {
			cus := fmt.Sprintf("c%04d", i)
			for _, e := range []struct {
				at time.Time
				n  int
			}{{jan.Add(time.Duration(i%700) * time.Hour), (i * 37) % 5000}, {jan.AddDate(0, 1, i%27), (i * 53) % 3000}} {
				ts := e.at
				batch = append(batch, meters.EventInput{ID: fmt.Sprintf("%s-%d", cus, ts.Unix()), EventName: "u", Customer: cus, Timestamp: &ts,
					Properties: json.RawMessage(fmt.Sprintf(`{"n":%d}`, e.n))})
			}
			if len(batch) == 1000 || i == scaleSubscriptions-1 {
				res, err := svc.Meters.Ingest(ctx, ten.ID, batch)
				if err != nil || res.Accepted != len(batch) {
					t.Fatalf("ingest: %+v, %v", res, err)
				}
				batch = batch[:0]
			}
		}
		built := time.Since(began)

		began = time.Now()
		asOf := mar
		run, err := svc.Invoicing.StartRun(ctx, ten.ID, &asOf, true)
		if err != nil || run.InvoicesCreated != 2*scaleSubscriptions || len(run.Failed) != 0 {
			t.Fatalf("invoice run: created %d, failed %d (%v), want %d", run.InvoicesCreated, len(run.Failed), err, 2*scaleSubscriptions)
		}
		ran := time.Since(began)

		// The real invoices: every one of the tenant's, a page at a time,
		// their lines for the periods inside [January, March) (the
		// February cycle invoice also bills March's advance fee).
		invoiced, count := decimal.Zero, 0
		page := domain.Page{Limit: domain.MaxPageLimit}
		for {
			l, err := svc.Invoicing.List(ctx, ten.ID, invoicing.Query{}, page)
			if err != nil {
				t.Fatal(err)
			}
			for _, inv := range l.Data {
				count++
				for _, ln := range inv.Lines {
					if !ln.Period.Start.Before(jan) && ln.Period.Start.Before(mar) {
						invoiced = invoiced.Add(ln.Amount)
					}
				}
			}
			if l.NextCursor == "" {
				break
			}
			page.Cursor = l.NextCursor
		}
		if count != 3*scaleSubscriptions {
			t.Fatalf("%d invoices, want %d (a start fee and two cycles each)", count, 3*scaleSubscriptions)
		}

		began = time.Now()
		rows := 0
		tot, err := svc.Advisor.Backtest(ctx, ten.ID, "std", advisor.BacktestInput{Against: "std", From: jan, To: mar}, func(r advisor.BacktestRow) error {
			rows++
			if !r.Difference.IsZero() || !r.Had.Equal(r.Would) || r.Periods != 2 {
				t.Errorf("%s: had %s, would %s over %d periods", r.CustomerExternalID, r.Had, r.Would, r.Periods)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		backtested := time.Since(began)
		if rows != scaleSubscriptions || tot.Subscriptions != scaleSubscriptions || tot.Periods != 2*scaleSubscriptions {
			t.Errorf("%d rows, totals %d subscriptions and %d periods, want %d and %d", rows, tot.Subscriptions, tot.Periods, scaleSubscriptions, 2*scaleSubscriptions)
		}
		if !tot.RevenueDelta.IsZero() || tot.PaySame != scaleSubscriptions || !tot.P50Change.IsZero() || !tot.P95Change.IsZero() {
			t.Errorf("std against itself: %+v", tot)
		}
		if !tot.Had.Equal(invoiced) || !tot.Would.Equal(invoiced) {
			t.Errorf("backtest had %s, would %s; the invoices sum to %s", tot.Had, tot.Would, invoiced)
		}
		t.Logf("%d subscriptions: built in %v, invoice run %v, backtest %v (%.2f ms a subscription)",
			scaleSubscriptions, built.Round(time.Millisecond), ran.Round(time.Millisecond), backtested.Round(time.Millisecond),
			float64(backtested.Microseconds())/1000/scaleSubscriptions)
	})
}
