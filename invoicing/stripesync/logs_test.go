package stripesync_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tallyhq/tally/invoicing/stripesync"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
)

// lockedBuffer is a log sink safe for concurrent writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// countingMetrics records what the Syncer reports.
type countingMetrics struct {
	mu       sync.Mutex
	calls    map[string]int // op/outcome
	retries  int
	failures map[string]int
}

func (m *countingMetrics) StripeCall(op, outcome string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls[op+"/"+outcome]++
}

func (m *countingMetrics) StripeRetry(string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.retries++
}

func (m *countingMetrics) StripeFailure(code string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.failures[code]++
}

// TestStripeErrorLogsCarryNoCustomerEmail has Stripe refuse the customer
// with a message quoting their e-mail (after a 500 that is retried): the
// INFO and WARN lines say what failed, with its code, but not the e-mail.
// The metrics count the retry and the failure by code.
func TestStripeErrorLogsCarryNoCustomerEmail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const email = "jane.doe+billing@example.com"
		var requests atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if requests.Add(1) == 1 {
				w.WriteHeader(500)
				_, _ = w.Write([]byte(`{"error":{"type":"api_error","message":"Something went wrong with ` + email + `"}}`))
				return
			}
			w.WriteHeader(400)
			_, _ = w.Write([]byte(`{"error":{"type":"invalid_request_error","code":"email_invalid","param":"email","message":"Invalid email address: ` + email + `"}}`))
		}))
		t.Cleanup(srv.Close)
		var logs lockedBuffer
		log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
		m := &countingMetrics{calls: map[string]int{}, failures: map[string]int{}}
		s := stripesync.New(e.db, e.clock, e.inv, e.cs, stripesync.Config{APIKey: "sk_test_tally", APIBase: srv.URL, RatePerSecond: 1000,
			RequestTimeout: time.Second, MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond, MaxRetries: 2}, m, log)

		inv := e.invoice(e.customer("jane", "USD", email), line{"Base fee", "10.00"})
		if _, err := s.Sync(e.ctx, e.tenantID, inv.ID); err == nil {
			t.Fatal("sync succeeded against a Stripe that refuses everything")
		}
		if _, err := s.SyncPending(e.ctx); err == nil {
			t.Fatal("SyncPending succeeded against a Stripe that refuses everything")
		}
		out := logs.String()
		for _, want := range []string{"stripe call retried", "stripe call failed", "stripe sync failed", "email_invalid", "[email]"} {
			if !strings.Contains(out, want) {
				t.Errorf("the logs lack %q:\n%s", want, out)
			}
		}
		for _, leak := range []string{email, "jane.doe"} {
			if strings.Contains(out, leak) {
				t.Errorf("the logs carry the customer's e-mail (%q):\n%s", leak, out)
			}
		}
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.retries < 1 || m.failures["email_invalid"] < 1 {
			t.Errorf("metrics: %d retries, failures %v; want a retry and email_invalid", m.retries, m.failures)
		}
		errors := 0
		for k, n := range m.calls {
			if strings.HasSuffix(k, "/error") {
				errors += n
			}
		}
		if errors < 1 {
			t.Errorf("metrics: calls %v, want a call with outcome error", m.calls)
		}
	})
}
