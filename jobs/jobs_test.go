package jobs_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally/app/apptest"
	"github.com/tallyhq/tally/jobs"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestSchedules(t *testing.T) {
	cases := []struct {
		name string
		spec string
		from string
		next string
	}{
		{"hourly fires at the top of the next hour", "@hourly", "2026-03-01T13:20:00Z", "2026-03-01T14:00:00Z"},
		{"every 15 minutes fires at the next quarter", "*/15 * * * *", "2026-03-01T13:20:00Z", "2026-03-01T13:30:00Z"},
		{"a daily spec at 02:00 fires tomorrow after 02:00", "0 2 * * *", "2026-03-01T13:20:00Z", "2026-03-02T02:00:00Z"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := jobs.Parse(c.spec)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Next(at(c.from)); !got.Equal(at(c.next)) {
				t.Errorf("Next(%s) = %s, want %s", c.from, got, c.next)
			}
		})
	}
	bad := jobs.Config{InvoiceSchedule: "every hour"}.Defaults()
	if err := bad.Validate(); err == nil {
		t.Error("a schedule that does not parse was accepted")
	}
	if err := (jobs.Config{BudgetSchedule: "now and then"}).Defaults().Validate(); err == nil {
		t.Error("a budget schedule that does not parse was accepted")
	}
	if err := (jobs.Config{}).Defaults().Validate(); err != nil {
		t.Errorf("the default schedules do not parse: %v", err)
	}
}

// TestOnlyOneHolderRunsAJobAtATime holds a job's lock in one locker and
// tries it from another (on Postgres: another connection, as another server
// would).
func TestOnlyOneHolderRunsAJobAtATime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		first := jobs.NewLocker(db)
		second := first
		if db.Dialect == store.Postgres {
			second = jobs.NewLocker(db)
		}
		ctx := context.Background()
		holding, release := make(chan struct{}), make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			ran, err := first.TryLock(ctx, "invoice_runs", func(context.Context) error {
				close(holding)
				<-release
				return nil
			})
			if !ran || err != nil {
				t.Errorf("the first holder did not run: %v %v", ran, err)
			}
		}()
		<-holding
		ran, err := second.TryLock(ctx, "invoice_runs", func(context.Context) error { return nil })
		if ran || err != nil {
			t.Errorf("a second holder ran while the first held the lock (%v, %v)", ran, err)
		}
		ran, _ = second.TryLock(ctx, "finalize_due", func(context.Context) error { return nil })
		if !ran {
			t.Error("another job's lock was taken too")
		}
		close(release)
		wg.Wait()
		ran, _ = second.TryLock(ctx, "invoice_runs", func(context.Context) error { return nil })
		if !ran {
			t.Error("the lock was not released")
		}
	})
}

func TestTheJobsInvoiceEveryTenantAndFinalizeAfterTheGracePeriod(t *testing.T) {
	apptest.Each(t, at("2026-04-01T06:00:00Z"), func(t *testing.T, s *apptest.Server) {
		for _, name := range []string{"one", "two"} {
			key := s.NewTenant(name)
			s.Must(201, "POST", "/v1/plans", key, `{"key":"fee","currency":"USD","interval":"month","prices":[{"key":"base","type":"fixed","model":"flat","amount":"10","cadence":"arrear"}]}`)
			s.Must(201, "POST", "/v1/customers", key, `{"external_id":"c","currency":"USD"}`)
			s.Must(201, "POST", "/v1/subscriptions", key, `{"customer":"c","plan":"fee","start_at":"2026-03-01T00:00:00Z"}`)
		}
		svc := s.App.Services
		j := jobs.New(jobs.Config{FinalizeGrace: 24 * time.Hour}, s.Clock, svc.Tenants, svc.Invoicing, nil, nil, jobs.NewLocker(svc.DB), nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
		ctx := context.Background()
		if !j.Run(ctx, "invoice_runs", j.InvoiceRuns) {
			t.Fatal("the invoice run job did not run")
		}
		j.Run(ctx, "invoice_runs", j.InvoiceRuns) // twice is harmless
		var drafts, finalized int64
		svc.DB.Gorm.Table("invoices").Where("status = 'draft'").Count(&drafts)
		if drafts != 2 {
			t.Fatalf("%d drafts after two runs, want one per tenant", drafts)
		}
		j.Run(ctx, "finalize_due", j.FinalizeDue)
		svc.DB.Gorm.Table("invoices").Where("status = 'finalized'").Count(&finalized)
		if finalized != 0 {
			t.Errorf("finalized %d drafts inside the grace period", finalized)
		}
		s.Clock.Set(at("2026-04-02T00:00:00Z"))
		j.Run(ctx, "finalize_due", j.FinalizeDue)
		svc.DB.Gorm.Table("invoices").Where("status = 'finalized'").Count(&finalized)
		if finalized != 2 {
			t.Errorf("finalized %d drafts after the grace period, want 2", finalized)
		}
		if err := j.StripeSync(ctx); err != nil {
			t.Errorf("stripe sync without stripe: %v", err)
		}
	})
}

// TestFinalizeDueReadsEachTenantsTestClock: the grace period is measured
// from the tenant's own now. Real time (the server clock) sits inside the
// grace period; one tenant's test clock is past it, so only its draft is
// finalized — and with test clocks off, neither is.
func TestFinalizeDueReadsEachTenantsTestClock(t *testing.T) {
	apptest.Each(t, at("2026-04-01T06:00:00Z"), func(t *testing.T, s *apptest.Server) {
		keys := map[string]string{}
		for _, name := range []string{"ahead", "real"} {
			key := s.NewTenant(name)
			keys[name] = key
			s.Must(201, "POST", "/v1/plans", key, `{"key":"fee","currency":"USD","interval":"month","prices":[{"key":"base","type":"fixed","model":"flat","amount":"10","cadence":"arrear"}]}`)
			s.Must(201, "POST", "/v1/customers", key, `{"external_id":"c","currency":"USD"}`)
			s.Must(201, "POST", "/v1/subscriptions", key, `{"customer":"c","plan":"fee","start_at":"2026-03-01T00:00:00Z"}`)
			s.Must(201, "POST", "/v1/invoice_runs", key, `{"as_of":"2026-04-01T00:00:00Z","wait":true}`)
		}
		s.Must(200, "PUT", "/v1/test_clock", keys["ahead"], `{"now":"2026-04-03T00:00:00Z"}`)
		svc := s.App.Services
		quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
		finalized := func() map[string]int64 {
			out := map[string]int64{}
			for name, key := range keys {
				var list struct {
					Data []struct{ Status string } `json:"data"`
				}
				if err := json.Unmarshal(s.Must(200, "GET", "/v1/invoices", key, nil).Body, &list); err != nil {
					t.Fatal(err)
				}
				for _, inv := range list.Data {
					if inv.Status == "finalized" {
						out[name]++
					}
				}
			}
			return out
		}
		for _, c := range []struct {
			name       string
			testClocks bool
			want       map[string]int64
		}{
			{"with test clocks off every tenant is on real time, inside the grace period", false, map[string]int64{}},
			{"with test clocks on the tenant whose clock is past the grace period is finalized", true, map[string]int64{"ahead": 1}},
		} {
			j := jobs.New(jobs.Config{FinalizeGrace: 24 * time.Hour, TestClocks: c.testClocks}, s.Clock, svc.Tenants, svc.Invoicing, nil, nil, jobs.NewLocker(svc.DB), nil, quiet)
			if err := j.FinalizeDue(context.Background()); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			got := finalized()
			if got["ahead"] != c.want["ahead"] || got["real"] != c.want["real"] {
				t.Errorf("%s: finalized %v, want %v", c.name, got, c.want)
			}
		}
	})
}

// TestEveryScheduledJobIsCoordinatedThroughTheDatabase wires the jobs as
// the server does (invoice runs, finalization, Stripe sync, webhook
// deliveries, budgets) and checks, for every one of them, that while
// another server (a locker of its own on the same database) holds the
// job's lock, a tick of the schedule skips it; and that it runs once the
// lock is free.
func TestEveryScheduledJobIsCoordinatedThroughTheDatabase(t *testing.T) {
	apptest.Each(t, at("2026-03-01T00:00:00Z"), func(t *testing.T, s *apptest.Server) {
		j := s.App.Jobs()
		names := j.Scheduled()
		for _, want := range []string{"invoice_runs", "finalize_due", "stripe_sync", "credit_expiries", "webhook_deliveries", "budgets"} {
			if _, ok := names[want]; !ok {
				t.Errorf("job %s is not scheduled (have %v)", want, names)
			}
		}
		other := jobs.NewLocker(s.App.DB) // on Postgres: another session, as another server
		ctx := context.Background()
		for name, tick := range names {
			holding, release, done := make(chan struct{}), make(chan struct{}), make(chan struct{})
			go func() {
				defer close(done)
				_, _ = other.TryLock(ctx, name, func(context.Context) error { close(holding); <-release; return nil })
			}()
			<-holding
			ran := tick(ctx)
			close(release)
			<-done
			if ran {
				t.Errorf("job %s ran while another server held its lock", name)
			}
			if !tick(ctx) {
				t.Errorf("job %s did not run once its lock was free", name)
			}
		}
	})
}
