package invoicing

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/meters"
)

// echoUsage answers a quantity equal to the customer's number.
type echoUsage struct{}

func (echoUsage) Quantity(_ context.Context, _ string, _ meters.Meter, customer string, _ meters.Filters, _ meters.Window) (decimal.Decimal, error) {
	var n int64
	fmt.Sscanf(customer, "c%d", &n)
	return decimal.NewFromInt(n), nil
}

func (echoUsage) ByIDs(context.Context, string, []string) (map[string]meters.Meter, error) {
	return map[string]meters.Meter{}, nil
}

// A composer reads its prices' quantities at once, so a page's usage is
// asked from many goroutines, recording and then answering.
func TestAPagesUsageTakesConcurrentAsks(t *testing.T) {
	u := &pageUsage{base: echoUsage{}, tenantID: "t", meters: map[string]meters.Meter{}, recording: true, index: map[askKey]int{}}
	w := meters.Window{Period: domain.Period{Start: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)}}
	ask := func(phase func(c int, q decimal.Decimal)) {
		var wg sync.WaitGroup
		for g := range 32 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for c := range 200 {
					q, err := u.Quantity(context.Background(), "t", meters.Meter{ID: fmt.Sprint("m", g%4)}, fmt.Sprint("c", c), nil, w)
					if err != nil {
						t.Error(err)
						return
					}
					phase(c, q)
				}
			}()
		}
		wg.Wait()
	}
	ask(func(int, decimal.Decimal) {})
	if len(u.asks) != 4*200 {
		t.Fatalf("%d asks recorded, want 800 (4 meters × 200 customers)", len(u.asks))
	}
	if err := u.fetch(context.Background()); err != nil {
		t.Fatal(err)
	}
	ask(func(c int, q decimal.Decimal) {
		if !q.Equal(decimal.NewFromInt(int64(c))) {
			t.Errorf("customer c%d answered %s", c, q)
		}
	})
}
