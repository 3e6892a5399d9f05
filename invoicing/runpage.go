package invoicing

import (
	"context"
	"time"

	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/store"
)

// runWorkers is how many subscriptions of a page an invoice run invoices
// at once on Postgres. Subscriptions are independent (each invoice's slot
// is decided by a unique key), and a run is bound by database round trips,
// not by CPU, so a few in flight keep the database busy. SQLite has one
// connection: one at a time.
const runWorkers = 4

// subResult is what invoicing one subscription of a page gave.
type subResult struct {
	created, existing int
	err               error
}

// invoicePage invoices the page's subscriptions, up to runWorkers at
// once, and returns their results in page order (so that counts and
// failures read the same whatever the timing). beat is called from this
// goroutine, between results, so that the run's heartbeat keeps going
// during a long page.
func (s *Service) invoicePage(ctx context.Context, scs []customers.Context, asOf time.Time, runID string, beat func()) []subResult {
	results := make([]subResult, len(scs))
	workers := runWorkers
	if s.db.Dialect != store.Postgres {
		workers = 1
	}
	workers = min(workers, len(scs))
	jobs := make(chan int)
	done := make(chan int)
	for w := 0; w < workers; w++ {
		go func() {
			for i := range jobs {
				c, e, err := s.invoiceSubscription(ctx, scs[i], asOf, runID, s.insert)
				results[i] = subResult{c, e, err}
				done <- i
			}
		}()
	}
	go func() {
		for i := range scs {
			jobs <- i
		}
		close(jobs)
	}()
	for range scs {
		beat()
		<-done
	}
	return results
}
