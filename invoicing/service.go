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
	balances  *balanceCache
	flights   *balanceFlights // live balance computations in flight, shared

	bgCtx    context.Context
	bgCancel context.CancelFunc
	bgWait   sync.WaitGroup
}

// NewService returns a Service. New subscriptions go through Subscribe,
// which drafts their subscription_start invoice. outbox (nil: none)
// receives the invoice.* and subscription.* webhook events in the
// transaction of each change.
func NewService(db *store.DB, clock domain.Clock, cs *customers.Service, usage Usage, cr Credits, outbox Outbox, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{db: db, clock: clock, customers: cs, usage: usage, credits: cr, outbox: outbox, log: log, metrics: noMetrics{}, balances: newBalanceCache(), flights: newBalanceFlights(), bgCtx: ctx, bgCancel: cancel}
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

// SetMetrics sends the runs' events to m (nil: nowhere). Call it while
// wiring, before the service is used.
func (s *Service) SetMetrics(m RunMetrics) {
	if m == nil {
		m = noMetrics{}
	}
	s.metrics = m
}

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
