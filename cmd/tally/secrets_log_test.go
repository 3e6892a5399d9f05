package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76/webhook"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
)

// TestSecretsAreNeverLogged runs the binary at log level debug with every
// secret set — the database password, the root key, a Stripe API key and
// webhook secret — and exercises what uses them: a tenant and more keys are
// created (their secrets in the replies), a webhook endpoint (its signing
// secret in the reply) whose receiver fails, Stripe syncs that fail (Stripe
// answering 500 and 429 with the key echoed back in its error message) and
// Stripe webhooks, signed, badly signed and stale. Then `tally config`
// prints the settings. No secret may appear anywhere in the JSON log or in
// `tally config`'s output (which masks them); each is checked to have been
// used (the run is not vacuous: the API answered with the keys).
func TestSecretsAreNeverLogged(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	t.Parallel()
	secret := func(prefix string) string {
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		return prefix + hex.EncodeToString(b)
	}
	dbPassword, rootKey := secret("dbpw"), secret("root-")
	stripeKey, stripeWebhook := secret("sk_test_"), secret("whsec_")
	var stripeCalls atomic.Int64
	// Stripe failing: 500s and 429s whose messages echo the key, as a
	// careless upstream might.
	stripeSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := stripeCalls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		status := 500
		if n%2 == 0 {
			status = 429
		}
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"error":{"type":"api_error","message":"failure for %s"}}`, r.Header.Get("Authorization"))
	}))
	t.Cleanup(stripeSrv.Close)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(500)
		fmt.Fprintf(w, "down: %s", r.Header.Get("Tally-Signature"))
	}))
	t.Cleanup(receiver.Close)

	dbURL := strings.Replace(storetest.URL(t, store.Postgres), "postgres://postgres@", "postgres://postgres:"+dbPassword+"@", 1)
	if !strings.Contains(dbURL, dbPassword) {
		t.Fatalf("could not put a password into %s", dbURL)
	}
	bin := sharedTally(t)
	env := []string{"TALLY_DATABASE_URL=" + dbURL, "TALLY_ROOT_KEY=" + rootKey, "TALLY_LOG_LEVEL=debug",
		"STRIPE_API_KEY=" + stripeKey, "STRIPE_API_BASE=" + stripeSrv.URL, "STRIPE_WEBHOOK_SECRET=" + stripeWebhook, "STRIPE_MAX_RETRIES=1",
		"TALLY_SCHEDULER=on", "TALLY_WEBHOOK_SCHEDULE=@every 1s"}
	p := newCrashProc(t, bin, env...)

	var tenant struct {
		APIKey string `json:"api_key"`
	}
	p.must(201, "POST", "/v1/tenants", rootKey, `{"name":"secrets"}`, &tenant)
	key := tenant.APIKey
	var ingest struct {
		Key string `json:"key"`
	}
	p.must(201, "POST", "/v1/api_keys", key, `{"kind":"ingest","name":"ingest"}`, &ingest)
	var ep struct {
		Secret string `json:"secret"`
	}
	p.must(201, "POST", "/v1/webhook_endpoints", key, fmt.Sprintf(`{"url":%q,"events":["invoice.created"]}`, receiver.URL), &ep)
	p.must(201, "POST", "/v1/plans", key, `{"key":"p","currency":"USD","interval":"month","prices":[{"key":"base","type":"fixed","model":"flat","amount":"5","cadence":"arrear"}]}`, nil)
	p.must(201, "POST", "/v1/customers", key, `{"external_id":"c","currency":"USD","email":"c@example.com"}`, nil)
	p.must(201, "POST", "/v1/subscriptions", key, `{"customer":"c","plan":"p","start_at":"2026-01-01T00:00:00Z"}`, nil)
	p.must(201, "POST", "/v1/invoice_runs", key, `{"as_of":"2026-03-01T00:00:00Z","wait":true}`, nil)
	p.must(202, "POST", "/v1/events", ingest.Key, `{"id":"e1","event_name":"x","customer":"c"}`, nil)
	if st, _, _ := p.send("GET", "/v1/meters", ingest.Key+"x", ""); st != 401 {
		t.Errorf("a wrong key: %d, want 401", st)
	}
	for _, inv := range allInvoices(t, p, key) {
		if st, b, err := p.send("POST", "/v1/invoices/"+inv.ID+"/sync", key, ""); err != nil || st != 502 {
			t.Errorf("sync against a failing Stripe: %d %v %.200s, want 502", st, err, b)
		}
	}
	body := []byte(`{"id":"evt_1","object":"event","type":"invoice.paid","data":{"object":{"id":"in_x","object":"invoice","metadata":{}}}}`)
	for _, c := range []struct {
		name   string
		header string
		want   int
	}{
		{"signed", webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: stripeWebhook, Timestamp: time.Now()}).Header, 200},
		{"signed with another secret", webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: "whsec_other", Timestamp: time.Now()}).Header, 401},
		{"stale", webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: stripeWebhook, Timestamp: time.Now().Add(-time.Hour)}).Header, 401},
	} {
		req, _ := http.NewRequest("POST", p.url()+"/v1/webhooks/stripe", strings.NewReader(string(body)))
		req.Header.Set("Stripe-Signature", c.header)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != c.want {
			t.Errorf("Stripe webhook %s: %d, want %d", c.name, res.StatusCode, c.want)
		}
	}
	// Let the dispatcher fail against the receiver a few times.
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(p.logs.String(), "webhook") && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(1500 * time.Millisecond)
	config, err := execOutput(bin, env, "config")
	if err != nil {
		t.Fatalf("tally config: %v\n%s", err, config)
	}
	logs := p.logs.String()
	secrets := map[string]string{"the database password": dbPassword, "the root key": rootKey, "the Stripe API key": stripeKey,
		"the Stripe webhook secret": stripeWebhook, "the tenant's admin key": key, "the ingest key": ingest.Key, "the endpoint's signing secret": ep.Secret}
	for what, s := range secrets {
		if s == "" {
			t.Errorf("%s was never given out: the test is vacuous", what)
			continue
		}
		for _, line := range strings.Split(logs, "\n") {
			if strings.Contains(line, s) {
				t.Errorf("%s appears in the log: %.300s", what, strings.ReplaceAll(line, s, "<"+what+">"))
			}
		}
		if strings.Contains(config, s) {
			t.Errorf("%s appears in tally config's output", what)
		}
		// Half a secret is as bad (a log cut in the middle, or a prefix
		// long enough to guess from).
		if half := s[:len(s)*2/3]; strings.Contains(logs, half) {
			t.Errorf("two thirds of %s appear in the log", what)
		}
	}
	lines := strings.Count(logs, "\n")
	t.Logf("%d log lines (debug), %d Stripe calls answered 500/429, tally config %d bytes: none holds any of %d secrets", lines, stripeCalls.Load(), len(config), len(secrets))
	if stripeCalls.Load() == 0 || lines < 20 {
		t.Errorf("the run did too little to prove anything: %d Stripe calls, %d log lines", stripeCalls.Load(), lines)
	}
}

// execOutput runs the binary with the environment and returns its output.
func execOutput(bin string, env []string, args ...string) (string, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}
