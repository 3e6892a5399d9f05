package invoicing

import (
	"context"
	"sync"
	"time"

	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/store"
)

// RunWorkers is how many subscriptions of a page an invoice run drafts at
// once on Postgres: each draft is a few short transactions, so a run is
// bound by commit latency, and drafting a few at a time overlaps those
// waits (3,000 subscriptions: see the advisor's backtest-at-scale test).
// Concurrent drafts of one period are impossible (a unique key; see
// StartRun), so the order does not matter. SQLite has one connection and
// one writer: it drafts one at a time.
const RunWorkers = 4

// subResult is what drafting one subscription came to.
type subResult struct {
	sub               string
	created, existing int
	err               error
}

// invoicePage drafts the subscriptions of one page, RunWorkers at a time
// on Postgres, and sends each one's result as it finishes; the channel is
// closed when the page is done.
func (s *Service) invoicePage(ctx context.Context, scs []customers.Context, asOf time.Time, runID string) <-chan subResult {
	workers := 1
	if s.db.Dialect == store.Postgres {
		workers = RunWorkers
	}
	out := make(chan subResult)
	next := make(chan customers.Context)
	var wg sync.WaitGroup
	for range min(workers, max(len(scs), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for sc := range next {
				created, existing, err := s.invoiceSubscription(ctx, sc, asOf, runID, s.insert)
				out <- subResult{sub: sc.Subscription.ID, created: created, existing: existing, err: err}
			}
		}()
	}
	go func() {
		for _, sc := range scs {
			next <- sc
		}
		close(next)
		wg.Wait()
		close(out)
	}()
	return out
}
