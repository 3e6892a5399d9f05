package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tallyhq/tally/app"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/invoicing/stripesync"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
)

// RootKey is the root key test servers run with.
const RootKey = "test-root-key"

// Server is a running Tally for one test.
type Server struct {
	App   *app.App
	URL   string
	Clock *domain.FixedClock
	t     testing.TB
}

// Start runs Tally on a fresh database of the dialect with the scheduler
// off and test clocks on. The clock starts at now (a FixedClock the test
// may move; a tenant's test clock, when set, takes precedence).
func Start(t testing.TB, d store.Dialect, now time.Time) *Server {
	t.Helper()
	return StartWith(t, d, now, nil)
}

// StartWith is Start with the settings changed by configure (nil: none).
func StartWith(t testing.TB, d store.Dialect, now time.Time, configure func(*app.Config)) *Server {
	t.Helper()
	stripe, err := stripesync.ConfigFromEnv() // tests configure Stripe with t.Setenv
	if err != nil {
		t.Fatal(err)
	}
	cfg := app.Config{DatabaseURL: storetest.URL(t, d), RootKey: RootKey, Scheduler: false, TestClock: true, LogLevel: "error", BodyLimit: "8M", ShutdownTimeout: time.Second, Stripe: stripe}
	if configure != nil {
		configure(&cfg)
	}
	clock := domain.NewFixedClock(now)
	a, err := app.Open(context.Background(), cfg, clock, app.NewLogger("error"))
	if err != nil {
		t.Fatalf("start tally on %s: %v", d, err)
	}
	ts := httptest.NewServer(a.Handler())
	t.Cleanup(func() {
		ts.Close()
		_ = a.Close()
	})
	return &Server{App: a, URL: ts.URL, Clock: clock, t: t}
}

// Each runs fn against a fresh server on each store.
func Each(t *testing.T, now time.Time, fn func(t *testing.T, s *Server)) {
	t.Helper()
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			if d == store.Postgres {
				storetest.RequirePostgres(t)
			}
			fn(t, Start(t, d, now))
		})
	}
}

// Response is a decoded reply.
type Response struct {
	Status int
	Body   []byte
}

// JSON decodes the body into a generic map.
func (r Response) JSON() map[string]any {
	var m map[string]any
	_ = json.Unmarshal(r.Body, &m)
	return m
}

// Decode decodes the body into v.
func (r Response) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Do sends a request with the key (may be "") and a body (nil, a string of
// raw JSON, or a value to encode).
func (s *Server) Do(method, path, key string, body any) Response {
	s.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			s.t.Fatalf("encode body: %v", err)
		}
		rd = bytes.NewReader(enc)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return Response{Status: res.StatusCode, Body: out}
}

// Must sends a request and fails the test unless the status is want.
func (s *Server) Must(want int, method, path, key string, body any) Response {
	s.t.Helper()
	r := s.Do(method, path, key, body)
	if r.Status != want {
		s.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.Status, want, r.Body)
	}
	return r
}

// NewTenant creates a tenant and returns its admin key.
func (s *Server) NewTenant(name string) string {
	s.t.Helper()
	r := s.Must(201, "POST", "/v1/tenants", RootKey, map[string]any{"name": name})
	return r.JSON()["api_key"].(string)
}
