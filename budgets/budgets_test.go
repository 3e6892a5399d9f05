package budgets_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/budgets"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
	"github.com/tallyhq/tally/webhooks"
)

var t0 = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)

// reader is the customer's proposed invoice, set by the test.
type reader struct {
	mu     sync.Mutex
	period domain.Period
	spend  decimal.Decimal
}

func (r *reader) set(p domain.Period, spend string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.period, r.spend = p, decimal.RequireFromString(spend)
}

func (r *reader) Read(context.Context, string, string) (budgets.Reading, bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return budgets.Reading{Period: r.period, Spend: r.spend, Usage: map[string]decimal.Decimal{"tokens": r.spend.Mul(decimal.NewFromInt(10))}}, true, nil
}

func TestBudgetThresholds(t *testing.T) {
	march := domain.Period{Start: t0, End: t0.AddDate(0, 1, 0)}
	april := domain.Period{Start: march.End, End: march.End.AddDate(0, 1, 0)}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := domain.NewFixedClock(t0)
		ten, cus := domain.NewID("ten"), domain.NewID("cus")
		db.Gorm.Exec("INSERT INTO tenants (id, name, created_at) VALUES (?, 'Acme', ?)", ten, t0)
		if err := db.Gorm.Exec("INSERT INTO customers (id, tenant_id, external_id, name, email, currency, timezone, created_at, updated_at) VALUES (?, ?, 'acme', '', '', 'USD', 'UTC', ?, ?)", cus, ten, t0, t0).Error; err != nil {
			t.Fatal(err)
		}
		rd := &reader{}
		svc := budgets.NewService(db, clock, rd, webhooks.NewService(db, clock), nil, nil, nil)
		amount := decimal.NewFromInt(100)
		if _, err := svc.Create(ctx, ten, cus, budgets.Input{Amount: &amount, Thresholds: []int{100, 50, 80}}); err != nil {
			t.Fatal(err)
		}
		reported := func() []int {
			var ts []int
			db.Gorm.Table("budget_crossings").Order("period_start, threshold").Pluck("threshold", &ts)
			var events int64
			db.Gorm.Table("webhook_events").Where("type = ?", webhooks.BudgetThresholdReached).Count(&events)
			if int(events) != len(ts) {
				t.Fatalf("%d crossings but %d events", len(ts), events)
			}
			return ts
		}
		steps := []struct {
			name   string
			period domain.Period
			spend  string
			want   []int // every crossing so far
		}{
			{"below every threshold nothing is sent", march, "49.99", nil},
			{"reaching 50 % sends the 50 % threshold", march, "50.00", []int{50}},
			{"staying above 50 % sends nothing more", march, "60.00", []int{50}},
			{"jumping past 80 % and 100 % at once sends both", march, "120.00", []int{50, 80, 100}},
			{"a new period starts over and sends 50 % again", april, "55.00", []int{50, 80, 100, 50}},
		}
		for _, st := range steps {
			rd.set(st.period, st.spend)
			var wg sync.WaitGroup
			for i := 0; i < 4; i++ { // concurrent evaluations report each crossing once
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := svc.Evaluate(ctx, ten, cus); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			got := reported()
			if len(got) != len(st.want) {
				t.Fatalf("%s: crossings %v, want %v", st.name, got, st.want)
			}
			for i := range got {
				if got[i] != st.want[i] {
					t.Fatalf("%s: crossings %v, want %v", st.name, got, st.want)
				}
			}
		}
	})
}

func TestBudgetValidation(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	svc := budgets.NewService(db, domain.NewFixedClock(t0), nil, nil, nil, nil, nil)
	one, zero := decimal.NewFromInt(1), decimal.Zero
	for _, tc := range []struct {
		name string
		in   budgets.Input
	}{
		{"a budget needs an amount or a meter with a quantity", budgets.Input{}},
		{"a budget cannot have both an amount and a quantity", budgets.Input{Amount: &one, Quantity: &one, Meter: "m"}},
		{"a usage budget needs its meter", budgets.Input{Quantity: &one}},
		{"a limit must be positive", budgets.Input{Amount: &zero}},
		{"the period is billing_period", budgets.Input{Amount: &one, Period: "week"}},
		{"a threshold is a percentage", budgets.Input{Amount: &one, Thresholds: []int{0}}},
		{"a threshold is given once", budgets.Input{Amount: &one, Thresholds: []int{50, 50}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := svc.Create(context.Background(), "ten_x", "cus_x", tc.in); domain.KindOf(err) != domain.KindValidation {
				t.Fatalf("got %v", err)
			}
		})
	}
}
