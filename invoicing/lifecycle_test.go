package invoicing_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally/app"
	"github.com/tallyhq/tally/app/apptest"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
)

func TestFinalizingNumbersInvoicesGaplesslyAndFreezesThem(t *testing.T) {
	apptest.Each(t, ts("2026-04-10T00:00:00Z"), func(t *testing.T, s *apptest.Server) {
		w := newWorld(t, s)
		a := w.subscribe("a", "pro", "2026-03-01T00:00:00Z", "")
		b := w.subscribe("b", "arrear", "2026-03-01T00:00:00Z", "")
		w.events("a", "2026-03-02T00:00:00Z")
		w.post(201, "/v1/invoice_runs", `{"as_of":"2026-04-01T00:00:00Z","wait":true}`)
		cycleA, startA, cycleB := w.find(a, "cycle")["id"].(string), w.find(a, "subscription_start")["id"].(string), w.find(b, "cycle")["id"].(string)

		// A late event reaches the draft through recompute: 1 → 2 executions.
		w.events("a", "2026-03-30T00:00:00Z")
		re := w.post(200, "/v1/invoices/"+cycleA+"/recompute", "")
		equalLines(t, "recomputed draft", lines(re), map[string]string{"exec": "2.00", "base": "31.00"})

		cases := []struct {
			name   string
			id     string
			number string
		}{
			{"the first finalized invoice of the tenant is number 1", startA, "INV-000001"},
			{"the second is number 2", cycleB, "INV-000002"},
			{"the third is number 3", cycleA, "INV-000003"},
		}
		for _, c := range cases {
			inv := w.post(200, "/v1/invoices/"+c.id+"/finalize", "")
			if inv["number"] != c.number || inv["status"] != "finalized" {
				t.Errorf("%s: got %v %v", c.name, inv["number"], inv["status"])
			}
		}
		// Frozen: no recompute, no second finalize; an event for the period
		// is stored and reported, not billed.
		w.post(409, "/v1/invoices/"+cycleA+"/recompute", "")
		w.post(409, "/v1/invoices/"+cycleA+"/finalize", "")
		s.Clock.Advance(time.Minute)
		w.events("a", "2026-03-31T00:00:00Z")
		got := w.get("/v1/invoices/" + cycleA)
		if got["total"] != "33.00" || got["late_events"].(float64) != 1 {
			t.Errorf("after a late event: total %v late_events %v, want 33.00 and 1", got["total"], got["late_events"])
		}
		// Moves: paid is final; void is refused after payment; replays are harmless.
		w.post(200, "/v1/invoices/"+cycleA+"/mark_paid", "")
		w.post(200, "/v1/invoices/"+cycleA+"/mark_paid", "")
		w.post(409, "/v1/invoices/"+cycleA+"/void", "")
		w.post(200, "/v1/invoices/"+cycleB+"/void", "")
		w.post(409, "/v1/invoices/"+cycleB+"/finalize", "")
		s.Must(404, "POST", "/v1/invoices/inv_nope/finalize", w.key, nil)
	})
}

func TestAutomaticFinalizationWaitsForTheGracePeriod(t *testing.T) {
	apptest.Each(t, ts("2026-04-01T10:00:00Z"), func(t *testing.T, s *apptest.Server) {
		w := newWorld(t, s)
		sub := w.subscribe("a", "arrear", "2026-03-01T00:00:00Z", "")
		w.post(201, "/v1/invoice_runs", `{"as_of":"2026-04-01T00:00:00Z","wait":true}`)
		svc := s.App.Services.Invoicing
		n, err := svc.FinalizeDue(context.Background(), "", 24*time.Hour)
		if err != nil || n != 0 {
			t.Fatalf("within the grace period: finalized %d (%v), want 0", n, err)
		}
		s.Clock.Set(ts("2026-04-02T00:00:01Z"))
		if n, err = svc.FinalizeDue(context.Background(), "", 24*time.Hour); err != nil || n != 1 {
			t.Fatalf("after the grace period: finalized %d (%v), want 1", n, err)
		}
		if inv := w.find(sub, "cycle"); inv["status"] != "finalized" || inv["number"] != "INV-000001" {
			t.Errorf("invoice %v %v", inv["status"], inv["number"])
		}
		if n, _ = svc.FinalizeDue(context.Background(), "", 24*time.Hour); n != 0 {
			t.Errorf("a second pass finalized %d more", n)
		}
	})
}

// TestConcurrentRunsDraftEachInvoiceOnce starts runs at the same instant —
// goroutines of one server, and two servers on one database — and counts
// every invoice once.
func TestConcurrentRunsDraftEachInvoiceOnce(t *testing.T) {
	apptest.Each(t, ts("2026-06-15T00:00:00Z"), func(t *testing.T, s *apptest.Server) {
		w := newWorld(t, s)
		var subs []string
		for i := 0; i < 12; i++ {
			subs = append(subs, w.subscribe(fmt.Sprintf("c%d", i), []string{"pro", "arrear"}[i%2], "2026-01-01T00:00:00Z", ""))
		}
		var wg sync.WaitGroup
		for i := 0; i < 6; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.Do("POST", "/v1/invoice_runs", w.key, `{"as_of":"2026-06-01T00:00:00Z","wait":true}`)
			}()
		}
		wg.Wait()
		// Jan..May closed: 5 cycle invoices each, plus a start for "pro".
		for i, sub := range subs {
			want := 5
			if i%2 == 0 {
				want = 6
			}
			if n := len(w.invoices(sub)); n != want {
				t.Errorf("subscription %d has %d invoices, want %d", i, n, want)
			}
		}
	})
}

func TestTwoServersOnOnePostgresDraftEachInvoiceOnce(t *testing.T) {
	storetest.RequirePostgres(t)
	url := storetest.URL(t, store.Postgres)
	now := ts("2026-06-15T00:00:00Z")
	var apps []*app.App
	for i := 0; i < 2; i++ {
		a, err := app.Open(context.Background(), app.Config{DatabaseURL: url, LogLevel: "error"}, domain.NewFixedClock(now), app.NewLogger("error"))
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		apps = append(apps, a)
	}
	ctx := context.Background()
	svc := apps[0].Services
	tn, _, err := svc.Tenants.CreateTenant(ctx, tenantInput("two servers"))
	if err != nil {
		t.Fatal(err)
	}
	seedPlan(t, svc, tn.ID)
	for i := 0; i < 10; i++ {
		subscribeDirect(t, svc, tn.ID, fmt.Sprintf("c%d", i))
	}
	var wg sync.WaitGroup
	for _, a := range apps {
		for k := 0; k < 3; k++ {
			wg.Add(1)
			go func(a *app.App) {
				defer wg.Done()
				if _, err := a.Services.Invoicing.StartRun(ctx, tn.ID, tsp("2026-06-01T00:00:00Z"), true); err != nil {
					t.Error(err)
				}
			}(a)
		}
	}
	wg.Wait()
	var n int64
	if err := svc.DB.Gorm.Table("invoices").Where("tenant_id = ?", tn.ID).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	// 10 subscriptions × (1 start + 5 cycles).
	if n != 60 {
		t.Errorf("%d invoices, want 60", n)
	}
}
