package api

import (
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the Prometheus series the API exports. Each Server has its own
// registry, so tests can run many servers in one process.
type metrics struct {
	registry      *prometheus.Registry
	requests      *prometheus.CounterVec
	latency       *prometheus.HistogramVec
	events        *prometheus.CounterVec
	ingestLatency prometheus.Histogram
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tally_http_requests_total",
			Help: "HTTP requests by method, route and status."}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "tally_http_request_duration_seconds",
			Help: "HTTP request latency by method and route.", Buckets: prometheus.DefBuckets}, []string{"method", "route"}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tally_events_ingested_total",
			Help: "Usage events by outcome: accepted, duplicate, rejected."}, []string{"result"}),
		ingestLatency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "tally_ingest_batch_duration_seconds",
			Help: "Time to validate and durably store one event batch.", Buckets: prometheus.DefBuckets}),
	}
	m.registry.MustRegister(m.requests, m.latency, m.events, m.ingestLatency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) observeRequest(method, route string, status int, d time.Duration) {
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(method, route).Observe(d.Seconds())
}

func (m *metrics) observeIngest(accepted, duplicates, rejected int, d time.Duration) {
	m.events.WithLabelValues("accepted").Add(float64(accepted))
	m.events.WithLabelValues("duplicate").Add(float64(duplicates))
	m.events.WithLabelValues("rejected").Add(float64(rejected))
	m.ingestLatency.Observe(d.Seconds())
}

func (m *metrics) handler() echo.HandlerFunc {
	return echo.WrapHandler(promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}))
}
