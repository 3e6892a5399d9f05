package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/app"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
)

func TestAKeyOverItsRateLimitGets429WithRetryAfter(t *testing.T) {
	cfg := app.Config{DatabaseURL: storetest.URL(t, store.SQLite), RootKey: "root", LogLevel: "error", RateLimit: 1}
	a, err := app.Open(context.Background(), cfg, domain.NewFixedClock(time.Now()), app.NewLogger("error"))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	srv := httptest.NewServer(a.API.Handler())
	defer srv.Close()
	do := func(method, path, key, body string) *http.Response {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	decode := func(res *http.Response, v any) {
		defer res.Body.Close()
		if err := json.NewDecoder(res.Body).Decode(v); err != nil {
			t.Fatal(err)
		}
	}
	var tenant struct {
		APIKey string `json:"api_key"`
	}
	decode(do("POST", "/v1/tenants", "root", `{"name":"limited"}`), &tenant)
	var other struct {
		Key string `json:"key"`
	}
	decode(do("POST", "/v1/api_keys", tenant.APIKey, `{"kind":"admin","name":"b"}`), &other) // key A's first token
	// A burst of 2: key A has one token left, then it is refused.
	first := do("GET", "/v1/meters", tenant.APIKey, "")
	first.Body.Close()
	if first.StatusCode != 200 || first.Header.Get("X-RateLimit-Limit") != "2" || first.Header.Get("X-RateLimit-Remaining") != "0" {
		t.Fatalf("second call: %d, limit %q remaining %q; want 200, 2, 0", first.StatusCode,
			first.Header.Get("X-RateLimit-Limit"), first.Header.Get("X-RateLimit-Remaining"))
	}
	last := do("GET", "/v1/meters", tenant.APIKey, "")
	if last.StatusCode != 429 || last.Header.Get("Retry-After") == "" || last.Header.Get("X-RateLimit-Reset") == "" {
		t.Fatalf("third call: %d, Retry-After %q; want 429 with Retry-After and X-RateLimit-Reset", last.StatusCode, last.Header.Get("Retry-After"))
	}
	var body struct {
		Error struct{ Code string } `json:"error"`
	}
	decode(last, &body)
	if body.Error.Code != "rate_limited" {
		t.Errorf("error code %q, want rate_limited", body.Error.Code)
	}
	if res := do("GET", "/v1/meters", other.Key, ""); res.StatusCode != 200 {
		t.Errorf("another key got %d: it shares the first key's bucket", res.StatusCode)
	}
	// Junk keys make no bucket of their own: they share their sender's
	// address, so the third is refused rather than answered 401.
	var codes []int
	for _, k := range []string{"junk-1", "junk-2", "junk-3"} {
		res := do("GET", "/v1/meters", k, "")
		res.Body.Close()
		codes = append(codes, res.StatusCode)
	}
	if codes[0] != 401 || codes[2] != 429 {
		t.Errorf("junk keys answered %v, want 401 first and 429 by the third (one allowance per address)", codes)
	}
	// Health, readiness and metrics are never limited.
	for i := 0; i < 10; i++ {
		for _, p := range []string{"/healthz", "/readyz", "/metrics"} {
			if res := do("GET", p, "", ""); res.StatusCode != 200 {
				t.Fatalf("%s call %d answered %d", p, i, res.StatusCode)
			}
		}
	}
}

func TestASpoofedForwardedForBuysNoAllowanceUnlessTheProxyIsTrusted(t *testing.T) {
	for _, tt := range []struct {
		name    string
		trusted []string
		want429 bool
	}{
		{"without trusted proxies the header is ignored: one address, one allowance", nil, true},
		{"behind a trusted proxy each forwarded client has its own allowance", []string{"127.0.0.1/32"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := app.Config{DatabaseURL: storetest.URL(t, store.SQLite), RootKey: "root", LogLevel: "error", RateLimit: 1, TrustedProxies: tt.trusted}
			a, err := app.Open(context.Background(), cfg, domain.NewFixedClock(time.Now()), app.NewLogger("error"))
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			srv := httptest.NewServer(a.API.Handler())
			defer srv.Close()
			got429 := false
			for i := 0; i < 4; i++ {
				req, _ := http.NewRequest("GET", srv.URL+"/v1/meters", nil)
				req.Header.Set("Authorization", "Bearer junk")
				req.Header.Set("X-Forwarded-For", "203.0.113."+strconv.Itoa(i+1))
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				got429 = got429 || res.StatusCode == 429
			}
			if got429 != tt.want429 {
				t.Errorf("some call refused with 429: %v, want %v", got429, tt.want429)
			}
		})
	}
}
