package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/api"
	"github.com/tallyhq/tally/app"
	"github.com/tallyhq/tally/app/apptest"
	"github.com/tallyhq/tally/invoicing/stripesync"
)

// TestMetricsShowEachFamilyAfterSomeActivity ingests, runs invoices, syncs
// to a Stripe that fails, runs a job, and then finds every family on
// /metrics: HTTP, ingest, invoice runs, Stripe, jobs and the database pool.
func TestMetricsShowEachFamilyAfterSomeActivity(t *testing.T) {
	stripe := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(500)
		_, _ = w.Write([]byte(`{"error":{"type":"api_error","message":"down"}}`))
	}))
	t.Cleanup(stripe.Close)
	eachWith(t, func(c *app.Config) {
		c.Stripe = stripesync.Config{APIKey: "sk_test_tally", APIBase: stripe.URL, RatePerSecond: 1000, RequestTimeout: time.Second,
			MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond, MaxRetries: 1}
	}, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "metrics")
		f.flatPlan("pro", "USD")
		f.customer("acme", "USD")
		f.subscribe("acme", "pro")
		res := f.batch(event("e1", "api.call", "acme", now, nil), event("e1", "api.call", "acme", now, nil), obj{"id": "bad"})
		if res.Accepted != 1 || res.Duplicates != 1 || len(res.Rejected) != 1 {
			t.Fatalf("batch: %+v", res)
		}
		must(t, s, 201, "POST", "/v1/invoice_runs", f.key, obj{"wait": true})
		var invoices page[map[string]any]
		must(t, s, 200, "GET", "/v1/invoices", f.key, nil).Decode(t, &invoices)
		if len(invoices.Data) == 0 {
			t.Fatal("no invoice drafted")
		}
		wantError(t, call(t, s, "POST", "/v1/invoices/"+invoices.Data[0]["id"].(string)+"/sync", f.key, nil), 502, "stripe_error")
		j := s.App.Jobs()
		j.Run(context.Background(), "finalize_due", j.FinalizeDue)

		body := string(must(t, s, 200, "GET", "/metrics", "", nil).Body)
		for _, want := range []string{
			`tally_http_requests_total{method="POST",route="/v1/events/batch",status="202"}`,
			`tally_ingest_batches_total 1`,
			`tally_ingest_batch_duration_seconds_count 1`,
			`tally_events_ingested_total{result="accepted"} 1`,
			`tally_events_ingested_total{result="duplicate"} 1`,
			`tally_events_ingested_total{result="rejected"} 1`,
			`tally_invoice_runs_started_total 1`,
			`tally_invoice_runs_finished_total{status="completed"} 1`,
			`tally_invoice_run_duration_seconds_count{status="completed"} 1`,
			`tally_stripe_calls_total{op=`,
			`outcome="error"} 1`,
			`tally_stripe_retries_total{op=`,
			`tally_stripe_failures_total{code="http_500"} 1`,
			`tally_job_runs_total{job="finalize_due",outcome="done"} 1`,
			`tally_job_duration_seconds_count{job="finalize_due"} 1`,
			`go_sql_open_connections{db_name=`,
			`go_sql_in_use_connections{db_name=`,
			`go_sql_idle_connections{db_name=`,
			`go_sql_wait_count_total{db_name=`,
			`go_sql_wait_duration_seconds_total{db_name=`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
		if t.Failed() {
			t.Logf("/metrics:\n%s", grepTally(body))
		}
	})
}

func grepTally(body string) string {
	var out []string
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, "tally_") || strings.HasPrefix(l, "go_sql_") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestRequestLogsGiveElapsedMillisecondsAsANumber reads the request log
// line: elapsed_ms is a JSON number, and nothing else carries the time.
func TestRequestLogsGiveElapsedMillisecondsAsANumber(t *testing.T) {
	var logs bytes.Buffer
	srv := api.New(&api.Services{}, api.Config{}, slog.New(slog.NewJSONHandler(&logs, nil)))
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	if rec.Code != 200 {
		t.Fatalf("healthz %d: %s", rec.Code, rec.Body)
	}
	var line map[string]any
	if err := json.Unmarshal(bytes.TrimSpace(logs.Bytes()), &line); err != nil {
		t.Fatalf("log %q: %v", logs.String(), err)
	}
	if line["msg"] != "request" {
		t.Fatalf("log line %v is not the request log", line)
	}
	if ms, ok := line["elapsed_ms"].(float64); !ok || ms < 0 {
		t.Errorf("elapsed_ms = %#v, want a number of milliseconds", line["elapsed_ms"])
	}
	if _, ok := line["elapsed"]; ok {
		t.Errorf("log still has elapsed (nanoseconds): %v", line)
	}
}
