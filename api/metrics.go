package api

import (
	"database/sql"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the Prometheus series of one Tally, on a registry of its own
// (never the global one), so tests can run many servers in one process.
// The composition root hands it to the collaborators as their small
// interfaces: invoicing.RunMetrics, stripesync.Metrics and jobs.Metrics.
//
//	tally_http_requests_total{method,route,status}
//	tally_http_request_duration_seconds{method,route}
//	tally_ingest_batches_total, tally_ingest_batch_duration_seconds
//	tally_events_ingested_total{result=accepted|duplicate|rejected}
//	tally_invoice_runs_started_total
//	tally_invoice_runs_finished_total{status=completed|completed_with_failures|failed|abandoned}
//	tally_invoice_run_duration_seconds{status}
//	tally_stripe_calls_total{op,outcome=ok|error}
//	tally_stripe_retries_total{op}
//	tally_stripe_failures_total{code}
//	tally_job_runs_total{job,outcome=done|failed|skipped}, tally_job_duration_seconds{job}
//	go_sql_* (the database pool, WatchDB), go_*, process_*
type Metrics struct {
	registry      *prometheus.Registry
	requests      *prometheus.CounterVec
	latency       *prometheus.HistogramVec
	events        *prometheus.CounterVec
	batches       prometheus.Counter
	ingestLatency prometheus.Histogram
	runsStarted   prometheus.Counter
	runsFinished  *prometheus.CounterVec
	runDuration   *prometheus.HistogramVec
	stripeCalls   *prometheus.CounterVec
	stripeRetries *prometheus.CounterVec
	stripeFails   *prometheus.CounterVec
	jobRuns       *prometheus.CounterVec
	jobDuration   *prometheus.HistogramVec
}

// runBuckets span invoice runs and jobs: from 10 ms to about 20 minutes.
var runBuckets = prometheus.ExponentialBuckets(0.01, 4, 9)

// NewMetrics returns the series on a fresh registry, with the Go and
// process collectors.
func NewMetrics() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tally_http_requests_total",
			Help: "HTTP requests by method, route and status."}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "tally_http_request_duration_seconds",
			Help: "HTTP request latency by method and route.", Buckets: prometheus.DefBuckets}, []string{"method", "route"}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tally_events_ingested_total",
			Help: "Usage events by outcome: accepted, duplicate, rejected."}, []string{"result"}),
		batches: prometheus.NewCounter(prometheus.CounterOpts{Name: "tally_ingest_batches_total",
			Help: "Event batches (POST /v1/events counts as a batch of one) validated and stored."}),
		ingestLatency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "tally_ingest_batch_duration_seconds",
			Help: "Time to validate and durably store one event batch.", Buckets: prometheus.DefBuckets}),
		runsStarted: prometheus.NewCounter(prometheus.CounterOpts{Name: "tally_invoice_runs_started_total",
			Help: "Invoice runs started."}),
		runsFinished: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tally_invoice_runs_finished_total",
			Help: "Invoice runs ended, by status: completed, completed_with_failures, failed, abandoned (found dead)."}, []string{"status"}),
		runDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "tally_invoice_run_duration_seconds",
			Help: "Duration of the invoice runs this process executed, by final status.", Buckets: runBuckets}, []string{"status"}),
		stripeCalls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tally_stripe_calls_total",
			Help: "Stripe calls (after their retries) by operation and outcome: ok, error."}, []string{"op", "outcome"}),
		stripeRetries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tally_stripe_retries_total",
			Help: "Stripe call attempts repeated after a timeout, 409, 429 or 5xx, by operation."}, []string{"op"}),
		stripeFails: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tally_stripe_failures_total",
			Help: "Stripe calls failed for good, by Stripe error code (or http_STATUS, timeout, canceled)."}, []string{"code"}),
		jobRuns: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tally_job_runs_total",
			Help: "Background job runs by job and outcome: done, failed, skipped (running elsewhere)."}, []string{"job", "outcome"}),
		jobDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "tally_job_duration_seconds",
			Help: "Duration of background job runs by job.", Buckets: runBuckets}, []string{"job"}),
	}
	m.registry.MustRegister(m.requests, m.latency, m.events, m.batches, m.ingestLatency, m.runsStarted, m.runsFinished, m.runDuration,
		m.stripeCalls, m.stripeRetries, m.stripeFails, m.jobRuns, m.jobDuration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry is the registry /metrics serves.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// WatchDB exports the database pool's statistics (sql.DBStats: open, in
// use and idle connections, waits and their duration) as go_sql_* series
// labelled db_name=name. Call it once per pool.
func (m *Metrics) WatchDB(db *sql.DB, name string) {
	m.registry.MustRegister(collectors.NewDBStatsCollector(db, name))
}

func (m *Metrics) observeRequest(method, route string, status int, d time.Duration) {
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(method, route).Observe(d.Seconds())
}

func (m *Metrics) observeIngest(accepted, duplicates, rejected int, d time.Duration) {
	m.batches.Inc()
	m.events.WithLabelValues("accepted").Add(float64(accepted))
	m.events.WithLabelValues("duplicate").Add(float64(duplicates))
	m.events.WithLabelValues("rejected").Add(float64(rejected))
	m.ingestLatency.Observe(d.Seconds())
}

// RunStarted counts an invoice run begun (invoicing.RunMetrics).
func (m *Metrics) RunStarted() { m.runsStarted.Inc() }

// RunFinished counts an invoice run ended with status after elapsed
// (invoicing.RunMetrics).
func (m *Metrics) RunFinished(status string, elapsed time.Duration) {
	m.runsFinished.WithLabelValues(status).Inc()
	m.runDuration.WithLabelValues(status).Observe(elapsed.Seconds())
}

// RunAbandoned counts a run found dead by a later one (invoicing.RunMetrics).
func (m *Metrics) RunAbandoned() { m.runsFinished.WithLabelValues("abandoned").Inc() }

// StripeCall counts a Stripe call, after its retries, by operation and
// outcome ("ok" or "error") (stripesync.Metrics).
func (m *Metrics) StripeCall(op, outcome string) { m.stripeCalls.WithLabelValues(op, outcome).Inc() }

// StripeRetry counts one repeated attempt of a Stripe call (stripesync.Metrics).
func (m *Metrics) StripeRetry(op string) { m.stripeRetries.WithLabelValues(op).Inc() }

// StripeFailure counts a Stripe call failed for good by its error code
// (stripesync.Metrics).
func (m *Metrics) StripeFailure(code string) { m.stripeFails.WithLabelValues(code).Inc() }

// JobRun counts one run of a background job by outcome ("done", "failed"
// or "skipped") and observes its duration (jobs.Metrics).
func (m *Metrics) JobRun(job, outcome string, elapsed time.Duration) {
	m.jobRuns.WithLabelValues(job, outcome).Inc()
	if outcome != "skipped" {
		m.jobDuration.WithLabelValues(job).Observe(elapsed.Seconds())
	}
}

func (m *Metrics) handler() echo.HandlerFunc {
	return echo.WrapHandler(promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}))
}
