package invoicing

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
)

// RunStatus is where an invoice run stands.
type RunStatus string

const (
	RunRunning   RunStatus = "running"
	RunCompleted RunStatus = "completed"
	// RunCompletedWithFailures means some subscriptions failed; the others
	// were invoiced, and the next run retries the failed ones.
	RunCompletedWithFailures RunStatus = "completed_with_failures"
	// RunFailed means the run itself could not go on (the database failed).
	RunFailed RunStatus = "failed"
	// RunAbandoned means the run stopped without finishing (its server
	// died): it was still running with a heartbeat older than
	// StaleRunAfter when the tenant's next run began. Its counts are what
	// it had saved; the next run finishes its work.
	RunAbandoned RunStatus = "abandoned"
)

// RunFailure is one subscription a run could not invoice.
type RunFailure struct {
	SubscriptionID string `json:"subscription_id"`
	Error          string `json:"error"`
}

// Run is one invoice run of a tenant.
type Run struct {
	ID               string
	TenantID         string
	AsOf             time.Time
	Status           RunStatus
	Subscriptions    int
	Processed        int
	InvoicesCreated  int
	InvoicesExisting int
	Failed           []RunFailure
	CreatedAt        time.Time
	// HeartbeatAt is the wall-clock time the run last saved its progress
	// (never a test clock's time); nil for runs from before heartbeats.
	HeartbeatAt *time.Time
	FinishedAt  *time.Time
}

type runRow struct {
	ID               string `gorm:"primaryKey"`
	TenantID         string
	AsOf             time.Time
	Status           string
	Subscriptions    int
	Processed        int
	InvoicesCreated  int
	InvoicesExisting int
	Failed           string
	CreatedAt        time.Time
	HeartbeatAt      *time.Time
	FinishedAt       *time.Time
}

func (runRow) TableName() string { return "invoice_runs" }

func (r runRow) toRun() Run {
	out := Run{ID: r.ID, TenantID: r.TenantID, AsOf: r.AsOf.UTC(), Status: RunStatus(r.Status), Subscriptions: r.Subscriptions,
		Processed: r.Processed, InvoicesCreated: r.InvoicesCreated, InvoicesExisting: r.InvoicesExisting,
		CreatedAt: r.CreatedAt.UTC(), HeartbeatAt: utcPtr(r.HeartbeatAt), FinishedAt: utcPtr(r.FinishedAt), Failed: []RunFailure{}}
	_ = json.Unmarshal([]byte(r.Failed), &out.Failed)
	return out
}

// StartRun drafts, for every subscription of the tenant, one invoice for
// each period that ended at or before asOf (nil: not given, now) and has
// none yet, and any
// missing subscription_start invoice whose period began by asOf. With wait
// it returns when done; otherwise it returns at once and the run goes on in
// the background (GET the run to follow it).
//
// Runs are idempotent: a unique constraint on (subscription, reason, period
// start) makes a second invoice for a period impossible, even for two
// servers running at the same moment, and a run that died half-way is
// finished by the next one. One failing subscription is recorded and does
// not stop the run.
func (s *Service) StartRun(ctx context.Context, tenantID string, asOfGiven *time.Time, wait bool) (Run, error) {
	now := s.clock.Now(ctx)
	asOf := now
	if asOfGiven != nil {
		asOf = *asOfGiven
	}
	if err := s.abandonStale(ctx, tenantID); err != nil {
		return Run{}, err
	}
	beat := wallNow()
	r := runRow{ID: domain.NewID(domain.PrefixInvoiceRun), TenantID: tenantID, AsOf: asOf.UTC(), Status: string(RunRunning), Failed: "[]",
		CreatedAt: now, HeartbeatAt: &beat}
	if err := s.db.WithContext(ctx).Create(&r).Error; err != nil {
		return Run{}, fmt.Errorf("create invoice run: %w", err)
	}
	run := r.toRun()
	s.metrics.RunStarted()
	if wait {
		return s.execute(ctx, run), nil
	}
	s.background(func(bg context.Context) {
		if t, ok := domain.NowFrom(ctx); ok { // the tenant's test clock
			bg = domain.WithNow(bg, t)
		}
		s.execute(bg, run)
	})
	return run, nil
}

// GetRun reads a run.
func (s *Service) GetRun(ctx context.Context, tenantID, id string) (Run, error) {
	var r runRow
	if err := s.db.WithContext(ctx).Where("tenant_id = ? AND id = ?", tenantID, id).Take(&r).Error; err != nil {
		if store.IsNotFound(err) {
			return Run{}, domain.NotFound("invoice run", id)
		}
		return Run{}, fmt.Errorf("get invoice run: %w", err)
	}
	return r.toRun(), nil
}

// execute walks every subscription of the tenant, a page at a time: pages
// are drafted one after another while earlier ones are written
// (draftPages, writePages), and the run's progress is saved after each
// page written.
func (s *Service) execute(ctx context.Context, run Run) Run {
	started := time.Now()
	defer func() { s.metrics.RunFinished(string(run.Status), time.Since(started)) }()
	written := s.writePages(ctx, s.draftPages(ctx, run))
	tick := time.NewTicker(HeartbeatEvery)
	defer tick.Stop()
	for {
		var p *page
		select {
		case <-tick.C: // a long page: show the run alive
			s.beat(ctx, &run)
			continue
		case p = <-written:
		}
		if p == nil {
			break
		}
		if p.err != nil {
			run.Status = RunFailed
			run.Failed = append(run.Failed, RunFailure{Error: p.err.Error()})
			continue
		}
		run.Subscriptions += len(p.out)
		for _, res := range p.out {
			run.Processed++
			run.InvoicesCreated += res.created
			run.InvoicesExisting += res.existing
			if res.err != nil {
				run.Failed = append(run.Failed, RunFailure{SubscriptionID: res.sub, Error: res.err.Error()})
				s.log.Error("invoice run: subscription failed", slog.String("run", run.ID), slog.String("subscription", res.sub), slog.Any("error", res.err))
			}
		}
		s.saveRun(ctx, &run)
	}
	if run.Status != RunFailed {
		run.Status = RunCompleted
		if len(run.Failed) > 0 {
			run.Status = RunCompletedWithFailures
		}
	}
	done := s.clock.Now(ctx)
	run.FinishedAt = &done
	if !s.saveRun(ctx, &run) {
		// The database still says running: the caller learns it failed,
		// and the tenant's next run abandons the stored one once stale.
		run.Status = RunFailed
	}
	return run
}

// put stores a drafted invoice (insert), or collects it (a balance that
// counts the invoices a run would draft, a page of a run written at once);
// it reports whether it was new.
type put func(ctx context.Context, inv Invoice) (bool, error)

// invoiceSubscription drafts the missing invoices of one subscription up to
// asOf and counts what it created and what already existed.
func (s *Service) invoiceSubscription(ctx context.Context, sc customers.Context, asOf time.Time, runID string, store put) (created, existing int, err error) {
	have, err := s.existing(ctx, sc.Subscription.TenantID, sc.Subscription.ID)
	if err != nil {
		return 0, 0, err
	}
	return s.invoiceWith(ctx, s.usage, sc, have, asOf, runID, store)
}

// invoiceWith is invoiceSubscription knowing the subscription's invoices
// (have) and reading quantities through usage (an invoice run's page
// reads them for all its subscriptions at once).
func (s *Service) invoiceWith(ctx context.Context, usage Usage, sc customers.Context, have map[key]bool, asOf time.Time, runID string, store put) (created, existing int, err error) {
	c, err := newComposer(ctx, usage, sc)
	if err != nil {
		return 0, 0, err
	}
	return s.invoiceComposed(ctx, c, have, asOf, runID, store)
}

// invoiceComposed is invoiceSubscription given the subscription's composer
// and the invoices it has (have).
func (s *Service) invoiceComposed(ctx context.Context, c *composer, have map[key]bool, asOf time.Time, runID string, store put) (created, existing int, err error) {
	sc := c.sc
	count := func(made bool) {
		if made {
			created++
		} else {
			existing++
		}
	}
	if first, ok := s.firstPeriod(c); ok && sc.Plan.HasAdvanceFees() && !sc.Subscription.SkipStartInvoice && !first.Start.After(asOf) {
		if have[key{SubscriptionStart, micros(first.Start)}] {
			existing++
		} else {
			made, err := s.draft(ctx, c, SubscriptionStart, first, runID, store)
			if err != nil {
				return created, existing, err
			}
			count(made)
		}
	}
	ends := sc.Subscription.EndsAt
	// A cycle lists at most cycle.MaxPeriods periods a call: go on from the
	// last End a chunk at a time, so that a subscription any number of
	// periods behind (a daily plan from 1970) is invoiced in full with
	// bounded memory.
	periods := c.cyc.PeriodsEndingBy(asOf)
chunks:
	for len(periods) > 0 {
		for _, p := range periods {
			if ends != nil && p.End.After(*ends) {
				break chunks // the end's own invoice closes a cut-short period
			}
			if have[key{Cycle, micros(p.Start)}] {
				existing++
				continue
			}
			made, err := s.draft(ctx, c, Cycle, p, runID, store)
			if err != nil {
				return created, existing, err
			}
			count(made)
		}
		periods = c.cyc.PeriodsEndingBetween(periods[len(periods)-1].End, asOf)
	}
	made, had, err := s.endInvoice(ctx, c, asOf, have, runID, store)
	return created + made, existing + had, err
}

// firstPeriod is the first paid period as the grid lays it out — the
// period a subscription_start invoice opens, whether or not the
// subscription ends inside it (so the invoice is the same whenever it is
// drafted) — and false if the subscription ended before it began.
func (s *Service) firstPeriod(c *composer) (domain.Period, bool) {
	first := c.cyc.First()
	if ends := c.sc.Subscription.EndsAt; ends != nil && !ends.After(first.Start) {
		return domain.Period{}, false
	}
	return first, true
}

// draft computes and stores one invoice; false if another run stored it
// first.
func (s *Service) draft(ctx context.Context, c *composer, reason Reason, p domain.Period, runID string, store put) (bool, error) {
	var lines []Line
	var err error
	switch reason {
	case SubscriptionStart:
		lines, err = c.opening()
	default:
		lines, err = c.closing(ctx, p, time.Time{})
	}
	if err != nil {
		return false, err
	}
	sub := c.sc.Subscription
	inv := Invoice{ID: domain.NewID(domain.PrefixInvoice), TenantID: sub.TenantID, Status: Draft, BillingReason: reason,
		CustomerID: sub.CustomerID, SubscriptionID: sub.ID, Currency: c.sc.Plan.Currency, Period: p, Lines: lines,
		RunID: runID, CreatedAt: s.clock.Now(ctx)}
	inv.total()
	return store(ctx, inv)
}

func (s *Service) openSubscription(ctx context.Context, sub customers.Subscription) error {
	sc, err := s.customers.Load(ctx, sub.TenantID, sub.ID)
	if err != nil {
		return err
	}
	_, err = s.open(ctx, s.usage, sc, s.insert)
	return err
}

// open drafts the subscription_start invoice of a new subscription into
// store when its plan has advance fees and its first paid period has begun
// by now; false when it has none to draft.
func (s *Service) open(ctx context.Context, usage Usage, sc customers.Context, store put) (bool, error) {
	if !sc.Plan.HasAdvanceFees() || sc.Subscription.SkipStartInvoice {
		return false, nil
	}
	c, err := newComposer(ctx, usage, sc)
	if err != nil {
		return false, err
	}
	first, ok := s.firstPeriod(c)
	if !ok || first.Start.After(s.clock.Now(ctx)) {
		return false, nil
	}
	return s.draft(ctx, c, SubscriptionStart, first, "", store)
}
