package app

import (
	"context"
	"errors"
	"fmt"
	"github.com/tallyhq/tally/advisor"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/tallyhq/tally/api"
	"github.com/tallyhq/tally/budgets"
	"github.com/tallyhq/tally/credits"
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/idempotency"
	"github.com/tallyhq/tally/invoicing"
	"github.com/tallyhq/tally/invoicing/stripesync"
	"github.com/tallyhq/tally/jobs"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/migrations"
	"github.com/tallyhq/tally/plans"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/tenants"
	"github.com/tallyhq/tally/web"
	"github.com/tallyhq/tally/web/console"
	"github.com/tallyhq/tally/web/portal"
	"github.com/tallyhq/tally/webhooks"
)

// App is a wired Tally: database, services and HTTP API.
type App struct {
	Config   Config
	DB       *store.DB
	Services *Services
	API      *api.Server
	// Web serves the pages (portal, console, landing page); Handler sends
	// their paths there and the rest to API.
	Web *web.Handler
	Log *slog.Logger
	// Metrics is the app's Prometheus registry and series (GET /metrics).
	Metrics *api.Metrics
}

// NewLogger returns the JSON structured logger at the configured level.
func NewLogger(level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(level))); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}

// Open connects to the database, applies pending migrations and wires the
// services with the given clock (nil = the system clock).
func Open(ctx context.Context, cfg Config, clock domain.Clock, log *slog.Logger) (*App, error) {
	if clock == nil {
		clock = domain.SystemClock{}
	}
	if log == nil {
		log = NewLogger(cfg.LogLevel)
	}
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	applied, err := migrations.Apply(ctx, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	if cfg.ReadDatabaseURL != "" {
		if err := db.AttachReplica(ctx, cfg.ReadDatabaseURL); err != nil {
			db.Close()
			return nil, err
		}
	}
	for _, name := range applied {
		log.Info("migration applied", slog.String("file", name))
	}
	// One registry per app (never the global one): /metrics shows the
	// API, the invoice runs, Stripe, the jobs and the database pool.
	metrics := api.NewMetrics()
	if sqlDB, err := db.Gorm.DB(); err == nil {
		metrics.WatchDB(sqlDB, string(db.Dialect))
	}
	// Every committed change that can move a live credit balance drops the
	// customer's cached balance: the one cache is every service's notifier.
	bc := invoicing.NewBalanceCache()
	ms := meters.NewService(db, clock, bc)
	ps := plans.NewService(db, clock, CatalogMeters(ms), ms, customers.NewPlanUsage(db), bc)
	cs := customers.NewService(db, clock, ps, bc)
	cr := credits.NewService(db, clock, bc)
	wh := webhooks.NewService(db, clock)
	ts := tenants.NewService(db, clock)
	inv := invoicing.NewService(db, clock, cs, ms, cr, wh, bc, metrics, log)
	inv.SetRunPageSize(cfg.RunPageSize)
	svc := &Services{DB: db, Clock: clock, Tenants: ts, Meters: ms, Plans: ps,
		Customers: cs, Credits: cr, Invoicing: inv,
		Idempotency: idempotency.NewService(db, clock), Webhooks: wh,
		Dispatcher: webhooks.NewDispatcher(db, clock, webhooks.DispatchConfig{}, log)}
	svc.Advisor = advisor.NewService(ps, CatalogMeters(ms),
		&advisor.History{Subscribers: cs, Quantities: ms, Invoices: inv, Plans: ps, MeterList: ms, Clock: clock, Workers: readWorkers(db)})
	var clocks budgets.TenantClocks
	if cfg.TestClock { // a tenant's test clock is its "now" off the request path too
		clocks = ts
	}
	svc.Budgets = budgets.NewService(db, clock, budgetReader{inv: inv, meters: ms, customers: cs}, wh,
		inv, creditLevels{customers: cs, tenants: ts, clock: clock}, clocks)
	svc.BudgetWorker = budgets.NewWorker(svc.Budgets, log)
	// Stripe (cfg.Stripe, from STRIPE_API_KEY, STRIPE_API_BASE, …): without
	// a key the Syncer is disabled and invoices stay unsynced.
	svc.Stripe = stripesync.New(db, clock, inv, cs, cfg.Stripe, metrics, log)
	apiSvc := svc.API()
	apiSvc.Metrics = metrics
	server := api.New(apiSvc, api.Config{RootKey: cfg.RootKey, BodyLimit: cfg.BodyLimit, IngestBodyLimit: cfg.IngestBodyLimit, CORSOrigins: cfg.CORSOrigins, RateLimit: cfg.RateLimit, TestClock: cfg.TestClock, TrustedProxies: cfg.TrustedProxies}, log)
	cons := console.New(console.Services{Tenants: svc.Tenants, Meters: ms, Plans: ps, Customers: cs, Credits: cr, Invoicing: svc.Invoicing,
		Advisor: svc.Advisor, Budgets: svc.Budgets, BudgetReader: budgetReader{inv: svc.Invoicing, meters: ms, customers: cs}, BudgetWorker: svc.BudgetWorker, Webhooks: wh, Stripe: svc.Stripe}, db, clock, console.Config{}, log)
	pages := web.New(web.Config{TestClock: cfg.TestClock, SecureCookies: cfg.SecureCookies}, log, cons.Mount, portal.Mount(portal.Services{Clock: clock, Tokens: svc.Tenants, Customers: svc.Customers,
		Invoices: svc.Invoicing, Meters: svc.Meters, Advisor: svc.Advisor, Budgets: svc.Budgets, BudgetWorker: svc.BudgetWorker}))
	return &App{Config: cfg, DB: db, Services: svc, API: server, Web: pages, Log: log, Metrics: metrics}, nil
}

// readWorkers is how many subscriptions a long read (the backtest) works
// on at once: as many as an invoice run drafts on Postgres, one on SQLite
// (one connection).
func readWorkers(db *store.DB) int {
	if db.Dialect == store.Postgres {
		return invoicing.RunWorkers
	}
	return 1
}

// Serve listens on the configured address until ctx is done, then shuts
// down gracefully: in-flight requests finish (up to ShutdownTimeout).
// ready, if not nil, receives the bound address once listening.
func (a *App) Serve(ctx context.Context, ready chan<- string) error {
	ln, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.Config.Addr, err)
	}
	srv := a.httpServer()
	stopPprof, err := a.servePprof(a.Config.PprofAddr)
	if err != nil {
		_ = ln.Close()
		return err
	}
	defer stopPprof()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.Log.Info("tally listening", slog.String("addr", ln.Addr().String()), slog.String("database", string(a.DB.Dialect)),
		slog.Bool("scheduler", a.Config.Scheduler))
	if a.Config.Scheduler {
		j := a.Jobs()
		if err := j.Start(); err != nil {
			_ = srv.Close()
			return err
		}
		defer j.Stop()
	}
	if ready != nil {
		ready <- ln.Addr().String()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), a.Config.ShutdownTimeout)
	defer cancel()
	a.Log.Info("shutting down")
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Default timeouts of the http.Server, used when the Config leaves one zero
// (a Config built by hand rather than by Load).
const (
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = 60 * time.Second
	DefaultWriteTimeout      = 60 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
)

// httpServer is the http.Server of Serve, with the configured timeouts: a
// client slow to send its headers or body, or a keep-alive connection left
// idle, is cut off instead of holding a connection open for ever.
func (a *App) httpServer() *http.Server {
	or := func(d, def time.Duration) time.Duration {
		if d <= 0 {
			return def
		}
		return d
	}
	c := a.Config
	return &http.Server{Handler: a.Handler(),
		ReadHeaderTimeout: or(c.ReadHeaderTimeout, DefaultReadHeaderTimeout),
		ReadTimeout:       or(c.ReadTimeout, DefaultReadTimeout),
		WriteTimeout:      or(c.WriteTimeout, DefaultWriteTimeout),
		IdleTimeout:       or(c.IdleTimeout, DefaultIdleTimeout),
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelDebug),
	}
}

// Handler is the whole HTTP face: the pages' paths (web.Owns) go to Web,
// every other path to the API.
func (a *App) Handler() http.Handler { return web.Split(a.Web, a.API.Handler()) }

// Jobs returns the background jobs wired to this app.
func (a *App) Jobs() *jobs.Jobs {
	var stripe jobs.StripeSyncer
	if a.Services.Stripe != nil {
		stripe = a.Services.Stripe
	}
	var metrics jobs.Metrics
	if a.Metrics != nil { // a nil *api.Metrics must stay a nil interface
		metrics = a.Metrics
	}
	var dispatcher jobs.WebhookDispatcher
	if a.Services.Dispatcher != nil { // a nil *webhooks.Dispatcher must stay a nil interface
		dispatcher = a.Services.Dispatcher
	}
	var extra []jobs.Job
	if a.Services.Budgets != nil { // the safety net of the worker that ingestion wakes
		extra = append(extra, jobs.Job{Spec: a.Config.Jobs.Defaults().BudgetSchedule, Name: "budgets", Fn: a.Services.Budgets.EvaluateAll})
	}
	return jobs.New(a.Config.Jobs, a.Services.Clock, a.Services.Tenants, a.Services.Invoicing, stripe, dispatcher, jobs.NewLocker(a.DB), metrics, a.Log, extra...)
}

// Close stops background work and releases the database.
func (a *App) Close() error {
	if a.Services.BudgetWorker != nil {
		a.Services.BudgetWorker.Close()
	}
	a.Services.Invoicing.Close()
	return a.DB.Close()
}
