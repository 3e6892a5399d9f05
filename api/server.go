package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/tallyhq/tally/advisor"
	"github.com/tallyhq/tally/budgets"
	"github.com/tallyhq/tally/credits"
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/invoicing"
	"github.com/tallyhq/tally/invoicing/stripesync"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/plans"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/tenants"
	"github.com/tallyhq/tally/webhooks"
)

// Config is what the API needs from the process settings.
type Config struct {
	// RootKey enables POST /v1/tenants; empty disables it.
	RootKey string
	// BodyLimit caps request bodies (echo size syntax, default "1M")
	// except on the ingest routes.
	BodyLimit string
	// IngestBodyLimit caps the bodies of POST /v1/events and
	// /v1/events/batch (default "8M").
	IngestBodyLimit string
	// CORSOrigins are the browser origins (scheme://host[:port]) allowed
	// to call the API; empty: CORS is off and no CORS header is sent.
	CORSOrigins []string
	// RateLimit is requests per second per API key (bursts of twice as
	// many); 0 turns limiting off.
	RateLimit float64
	// TestClock enables per-tenant test clocks (/v1/test_clock): each
	// request of a tenant with one reads its "now". Off, those routes 404.
	TestClock bool
	// TrustedProxies are the networks (CIDRs) whose X-Forwarded-For is
	// believed for the client address; empty: the connection's address
	// only, so a spoofed header never buys a fresh allowance.
	TrustedProxies []string
}

// Services are the domain packages the API calls. The composition root
// (app.Services.API) fills them; api itself depends on no bundle above it.
type Services struct {
	DB        *store.DB
	Clock     domain.Clock
	Tenants   *tenants.Service
	Meters    *meters.Service
	Plans     *plans.Service
	Customers *customers.Service
	Credits   *credits.Service
	Invoicing *invoicing.Service
	Stripe    *stripesync.Syncer
	Webhooks  *webhooks.Service
	// Budgets stores and evaluates budgets; BudgetWorker (nil: none)
	// evaluates the customers an ingested batch named, off the request path.
	Budgets      *budgets.Service
	BudgetWorker BudgetToucher
	// Advisor answers the plan advisor routes (reads only).
	Advisor *advisor.Service
	// Idempotency stores Idempotency-Key replies; nil ignores the header.
	Idempotency IdempotencyKeys
	// Metrics is the registry /metrics serves, shared with the jobs,
	// invoicing and Stripe sync; nil: the API makes its own.
	Metrics *Metrics
}

// BudgetToucher queues customers (by external id) of a tenant for budget
// evaluation without blocking (budgets.Worker).
type BudgetToucher interface {
	Touch(tenantID string, customers []string)
}

// Server is the HTTP API.
type Server struct {
	*Services
	cfg     Config
	log     *slog.Logger
	echo    *echo.Echo
	metrics *Metrics
	limiter *limiter
	routes  []route
}

// New builds the API with every route registered.
func New(svc *Services, cfg Config, log *slog.Logger) *Server {
	if cfg.BodyLimit == "" {
		cfg.BodyLimit = DefaultBodyLimit
	}
	if cfg.IngestBodyLimit == "" {
		cfg.IngestBodyLimit = DefaultIngestBodyLimit
	}
	if log == nil {
		log = slog.Default()
	}
	m := svc.Metrics
	if m == nil {
		m = NewMetrics()
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	s := &Server{Services: svc, cfg: cfg, log: log, echo: e, metrics: m, limiter: newRateLimiter(cfg.RateLimit)}
	e.IPExtractor = ipExtractor(cfg.TrustedProxies)
	e.HTTPErrorHandler = s.errorHandler
	e.Use(middleware.RequestID())
	e.Use(s.recoverer)
	e.Use(s.logAndMeasure)
	e.Use(securityHeaders)
	if mw := cors(cfg.CORSOrigins); mw != nil {
		e.Use(mw)
	}
	e.Use(bodyLimits(cfg.BodyLimit, cfg.IngestBodyLimit))
	e.Use(checkURL)
	s.register()
	return s
}

// Handler returns the http.Handler serving the API.
func (s *Server) Handler() http.Handler { return s.echo }

// Echo exposes the router (tests and the web pages mount on it).
func (s *Server) Echo() *echo.Echo { return s.echo }

func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}

// recoverer turns a panic into a logged 500 instead of a dropped connection.
func (s *Server) recoverer(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("panic", slog.String("request_id", requestID(c)), slog.Any("panic", r))
				err = echo.NewHTTPError(http.StatusInternalServerError)
			}
		}()
		return next(c)
	}
}

// logAndMeasure writes one structured log line and the Prometheus
// request metrics per request.
func (s *Server) logAndMeasure(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			s.errorHandler(err, c)
		}
		status := c.Response().Status
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		elapsed := time.Since(start)
		s.metrics.observeRequest(c.Request().Method, route, status, elapsed)
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		s.log.LogAttrs(c.Request().Context(), level, "request",
			slog.String("request_id", requestID(c)), slog.String("method", c.Request().Method),
			slog.String("route", route), slog.String("path", c.Request().URL.Path), slog.Int("status", status),
			slog.Float64("elapsed_ms", float64(elapsed.Microseconds())/1000))
		return nil
	}
}

// Shutdown stops the server gracefully.
func (s *Server) Shutdown(ctx context.Context) error { return s.echo.Shutdown(ctx) }
