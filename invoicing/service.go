package invoicing

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
)

// Service computes and stores invoices.
type Service struct {
	db        *store.DB
	clock     domain.Clock
	customers *customers.Service
	usage     Usage
	credits   Credits
	outbox    Outbox
	log       *slog.Logger
	metrics   RunMetrics
	balances  *BalanceCache
	flights   *balanceFlights // live balance computations in flight, shared
	// runPageSize is how many subscriptions a run drafts at once.
	runPageSize int

	bgCtx    context.Context
	bgCancel context.CancelFunc
	bgWait   sync.WaitGroup
}

// NewService returns a Service. New subscriptions go through Subscribe,
// which drafts their subscription_start invoice. outbox (nil: none)
// receives the invoice.* and subscription.* webhook events in the
// transaction of each change. balances is the live-balance cache that the
// services below (meters, plans, customers, credits) were given as their
// notifier (nil: a cache of its own, which only the Service's own changes
// reach — right only when nothing else writes). metrics (nil: nowhere)
// receives the invoice runs' events.
func NewService(db *store.DB, clock domain.Clock, cs *customers.Service, usage Usage, cr Credits, outbox Outbox,
	balances *BalanceCache, metrics RunMetrics, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	if balances == nil {
		balances = NewBalanceCache()
	}
	if metrics == nil {
		metrics = noMetrics{}
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{db: db, clock: clock, customers: cs, usage: usage, credits: cr, outbox: outbox, log: log, metrics: metrics, balances: balances, flights: newBalanceFlights(),
		runPageSize: DefaultRunPageSize, bgCtx: ctx, bgCancel: cancel}
	return s
}

// RunMetrics receives the invoice runs' events (api.Metrics exports them).
type RunMetrics interface {
	// RunStarted counts a run begun.
	RunStarted()
	// RunFinished counts a run this process ended, by final status, and
	// its duration.
	RunFinished(status string, elapsed time.Duration)
	// RunAbandoned counts a run found dead (no heartbeat) by a later one.
	RunAbandoned()
}

type noMetrics struct{}

func (noMetrics) RunStarted()                       {}
func (noMetrics) RunFinished(string, time.Duration) {}
func (noMetrics) RunAbandoned()                     {}

// background runs work that outlives its request (an invoice run without
// wait); Close cancels it and waits.
func (s *Service) background(fn func(ctx context.Context)) {
	s.bgWait.Add(1)
	go func() {
		defer s.bgWait.Done()
		fn(s.bgCtx)
	}()
}

// Close stops background work and waits for it.
func (s *Service) Close() {
	s.bgCancel()
	s.bgWait.Wait()
}
