package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/invoicing"
	"github.com/tallyhq/tally/invoicing/stripesync"
	"github.com/tallyhq/tally/tenants"
)

// Config holds the schedules (standard 5-field cron specs or descriptors
// such as "@hourly") and the finalization grace period.
type Config struct {
	InvoiceSchedule    string        // TALLY_INVOICE_SCHEDULE, default "@hourly"
	FinalizeSchedule   string        // TALLY_FINALIZE_SCHEDULE, default "*/15 * * * *"
	StripeSyncSchedule string        // TALLY_STRIPE_SYNC_SCHEDULE, default "*/5 * * * *"
	FinalizeGrace      time.Duration // TALLY_FINALIZE_GRACE, default 24h after the period end
	// WebhookSchedule sends due webhook deliveries, default "@every 10s".
	WebhookSchedule string
	// BudgetSchedule evaluates every budget (the safety net of the worker
	// ingestion wakes), default "*/5 * * * *".
	BudgetSchedule string
	// ExpirySchedule records the credit grants expired since its last run
	// (their ledger entry and credits.expired), default "* * * * *": an
	// event at most a minute after the expiry instant.
	ExpirySchedule string
	// TestClocks (TALLY_TEST_CLOCK=on) runs each tenant's invoice run and
	// finalizations at its test clock's now, when it has one.
	TestClocks bool
}

// Defaults fills empty settings.
func (c Config) Defaults() Config {
	if c.InvoiceSchedule == "" {
		c.InvoiceSchedule = "@hourly"
	}
	if c.FinalizeSchedule == "" {
		c.FinalizeSchedule = "*/15 * * * *"
	}
	if c.StripeSyncSchedule == "" {
		c.StripeSyncSchedule = "*/5 * * * *"
	}
	if c.WebhookSchedule == "" {
		c.WebhookSchedule = "@every 10s"
	}
	if c.BudgetSchedule == "" {
		c.BudgetSchedule = "*/5 * * * *"
	}
	if c.ExpirySchedule == "" {
		c.ExpirySchedule = "* * * * *"
	}
	if c.FinalizeGrace == 0 {
		c.FinalizeGrace = 24 * time.Hour
	}
	return c
}

// Validate parses every schedule.
func (c Config) Validate() error {
	var p domain.Problems
	for name, spec := range map[string]string{"TALLY_INVOICE_SCHEDULE": c.InvoiceSchedule,
		"TALLY_FINALIZE_SCHEDULE": c.FinalizeSchedule, "TALLY_STRIPE_SYNC_SCHEDULE": c.StripeSyncSchedule, "WebhookSchedule": c.WebhookSchedule, "BudgetSchedule": c.BudgetSchedule,
		"ExpirySchedule": c.ExpirySchedule} {
		if _, err := Parse(spec); err != nil {
			p.Add(name, "%v", err)
		}
	}
	if c.FinalizeGrace < 0 {
		p.Add("TALLY_FINALIZE_GRACE", "must not be negative")
	}
	return p.Err()
}

// Parse reads a schedule; its Next(t) gives the first activation after t.
func Parse(spec string) (cron.Schedule, error) {
	return cron.ParseStandard(spec)
}

// StripeSyncer is what the Stripe sync job needs (invoicing/stripesync).
type StripeSyncer interface {
	Enabled() bool
	SyncPending(ctx context.Context) (int, error)
}

// WebhookDispatcher sends due webhook deliveries (webhooks.Dispatcher).
type WebhookDispatcher interface {
	RunOnce(ctx context.Context) (int, error)
}

// Jobs is the set of background jobs.
type Jobs struct {
	cfg       Config
	clock     domain.Clock
	tenants   *tenants.Service
	invoicing *invoicing.Service
	stripe    StripeSyncer
	webhooks  WebhookDispatcher
	extra     []Job
	locker    Locker
	log       *slog.Logger
	cron      *cron.Cron
	metrics   Metrics
}

// Metrics receives the jobs' runs (api.Metrics exports them).
type Metrics interface {
	// JobRun counts one run of job by outcome ("done", "failed" or
	// "skipped": running elsewhere) and its duration.
	JobRun(job, outcome string, elapsed time.Duration)
}

type noMetrics struct{}

func (noMetrics) JobRun(string, string, time.Duration) {}

// New returns the jobs; stripe and webhooks may be nil (no Stripe sync, no
// webhook delivery job: the dispatcher runs on WebhookSchedule), metrics
// (nil: nowhere) receives the runs, and extra are collaborators' jobs.
func New(cfg Config, clock domain.Clock, ts *tenants.Service, inv *invoicing.Service, stripe StripeSyncer, webhooks WebhookDispatcher, locker Locker,
	metrics Metrics, log *slog.Logger, extra ...Job) *Jobs {
	if metrics == nil {
		metrics = noMetrics{}
	}
	j := &Jobs{cfg: cfg.Defaults(), clock: clock, tenants: ts, invoicing: inv, stripe: stripe, webhooks: webhooks, locker: locker, log: log, metrics: metrics}
	if webhooks != nil {
		j.extra = append(j.extra, Job{j.cfg.WebhookSchedule, "webhook_deliveries", j.WebhookDeliveries})
	}
	j.extra = append(j.extra, extra...)
	return j
}

// Job is a collaborator's job (the budgets' safety-net evaluation): Fn run
// on Spec under the lock Name.
type Job struct {
	Spec, Name string
	Fn         func(context.Context) error
}

// WebhookDeliveries sends the webhook deliveries due now. Each delivery is
// claimed before it is sent, so it also runs safely without the job lock.
func (j *Jobs) WebhookDeliveries(ctx context.Context) error {
	_, err := j.webhooks.RunOnce(ctx)
	return err
}

// Start schedules every job; Stop ends them.
func (j *Jobs) Start() error {
	if err := j.cfg.Validate(); err != nil {
		return err
	}
	j.cron = cron.New(cron.WithChain(cron.Recover(cron.DiscardLogger)))
	ticks := j.Scheduled()
	for _, x := range j.scheduled() {
		tick := ticks[x.Name]
		if _, err := j.cron.AddFunc(x.Spec, func() { tick(context.Background()) }); err != nil {
			return fmt.Errorf("schedule %s (%q): %w", x.Name, x.Spec, err)
		}
	}
	j.cron.Start()
	j.log.Info("scheduler started", slog.String("invoice_runs", j.cfg.InvoiceSchedule),
		slog.String("finalize_due", j.cfg.FinalizeSchedule), slog.String("stripe_sync", j.cfg.StripeSyncSchedule), slog.String("credit_expiries", j.cfg.ExpirySchedule),
		slog.String("finalize_grace", j.cfg.FinalizeGrace.String()))
	return nil
}

// scheduled is every job Start schedules.
func (j *Jobs) scheduled() []Job {
	return append([]Job{{j.cfg.InvoiceSchedule, "invoice_runs", j.InvoiceRuns}, {j.cfg.FinalizeSchedule, "finalize_due", j.FinalizeDue},
		{j.cfg.StripeSyncSchedule, "stripe_sync", j.StripeSync}, {j.cfg.ExpirySchedule, "credit_expiries", j.CreditExpiries}}, j.extra...)
}

// Scheduled returns, by job name, what Start's schedule calls on each
// tick: the job run through Run, which takes the job's lock first (with
// several servers on one database only one runs a job at a time) and
// reports whether it ran.
func (j *Jobs) Scheduled() map[string]func(context.Context) bool {
	out := map[string]func(context.Context) bool{}
	for _, x := range j.scheduled() {
		out[x.Name] = func(ctx context.Context) bool { return j.Run(ctx, x.Name, x.Fn) }
	}
	return out
}

// Stop stops scheduling and waits for running jobs.
func (j *Jobs) Stop() {
	if j.cron != nil {
		<-j.cron.Stop().Done()
	}
}

// Run runs one job under its lock, logging the outcome. It reports whether
// the job ran (false: another server holds it).
func (j *Jobs) Run(ctx context.Context, name string, fn func(context.Context) error) bool {
	start := time.Now()
	ran, err := j.locker.TryLock(ctx, name, fn)
	elapsed := time.Since(start)
	ms := slog.Float64("elapsed_ms", float64(elapsed.Microseconds())/1000)
	switch {
	case err != nil:
		j.metrics.JobRun(name, "failed", elapsed)
		j.log.Error("job failed", slog.String("job", name), slog.String("error", stripesync.Redact(err)), ms)
	case !ran:
		j.metrics.JobRun(name, "skipped", elapsed)
		j.log.Info("job skipped: running elsewhere", slog.String("job", name))
	default:
		j.metrics.JobRun(name, "done", elapsed)
		j.log.Info("job done", slog.String("job", name), ms)
	}
	return ran
}

// InvoiceRuns runs an invoice run as of now for every tenant. A tenant
// whose run fails does not stop the others.
func (j *Jobs) InvoiceRuns(ctx context.Context) error {
	ids, err := j.tenants.AllIDs(ctx)
	if err != nil {
		return err
	}
	var firstErr error
	for _, id := range ids {
		tctx := j.tenantCtx(ctx, id)
		asOf := j.clock.Now(tctx)
		run, err := j.invoicing.StartRun(tctx, id, &asOf, true)
		if err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("tenant %s: %w", id, err)
			}
			continue
		}
		if run.InvoicesCreated > 0 || len(run.Failed) > 0 {
			j.log.Info("invoice run", slog.String("tenant", id), slog.String("run", run.ID),
				slog.Int("created", run.InvoicesCreated), slog.Int("failed", len(run.Failed)))
		}
	}
	return firstErr
}

// tenantCtx is ctx at the tenant's test clock when test clocks are on and
// it has one; otherwise ctx (the jobs' clock: real time).
func (j *Jobs) tenantCtx(ctx context.Context, tenantID string) context.Context {
	if j.cfg.TestClocks {
		if t, ok, err := j.tenants.TestClock(ctx, tenantID); err == nil && ok {
			return domain.WithNow(ctx, t)
		}
	}
	return ctx
}

// FinalizeDue finalizes, tenant by tenant, the drafts whose period ended
// more than the grace period before the tenant's now (its test clock when
// test clocks are on). A tenant that fails does not stop the others.
func (j *Jobs) FinalizeDue(ctx context.Context) error {
	return j.eachTenant(ctx, "drafts finalized", func(tctx context.Context, id string) (int, error) {
		return j.invoicing.FinalizeDue(tctx, id, j.cfg.FinalizeGrace)
	})
}

// eachTenant runs fn for every tenant at its now (tenantCtx), logging what
// it counted as done; a tenant that fails does not stop the others.
func (j *Jobs) eachTenant(ctx context.Context, done string, fn func(tctx context.Context, tenantID string) (int, error)) error {
	ids, err := j.tenants.AllIDs(ctx)
	if err != nil {
		return err
	}
	var firstErr error
	for _, id := range ids {
		n, err := fn(j.tenantCtx(ctx, id), id)
		if n > 0 {
			j.log.Info(done, slog.String("tenant", id), slog.Int("count", n))
		}
		if err != nil && firstErr == nil {
			firstErr = fmt.Errorf("tenant %s: %w", id, err)
		}
	}
	return firstErr
}

// CreditExpiries records, tenant by tenant at the tenant's now, the credit
// grants whose expiry has passed (invoicing.ExpireCredits). A tenant that
// fails does not stop the others.
func (j *Jobs) CreditExpiries(ctx context.Context) error {
	return j.eachTenant(ctx, "credit grants expired", j.invoicing.ExpireCredits)
}

// StripeSync pushes unsynced invoices to Stripe (a no-op without a key).
func (j *Jobs) StripeSync(ctx context.Context) error {
	if j.stripe == nil || !j.stripe.Enabled() {
		return nil
	}
	n, err := j.stripe.SyncPending(ctx)
	if n > 0 {
		j.log.Info("invoices synced to stripe", slog.Int("count", n))
	}
	return err
}
