package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/tallyhq/tally/app"
	"github.com/tallyhq/tally/app/apptest"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
)

// eachWith is apptest.Each with the settings changed by configure.
func eachWith(t *testing.T, configure func(*app.Config), fn func(t *testing.T, s *apptest.Server)) {
	t.Helper()
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			if d == store.Postgres {
				storetest.RequirePostgres(t)
			}
			fn(t, apptest.StartWith(t, d, now, configure))
		})
	}
}

// batchOf returns an event batch body of at least size bytes.
func batchOf(t *testing.T, prefix string, size int) []byte {
	t.Helper()
	var events []any
	for n := 0; ; n++ {
		events = append(events, event(fmt.Sprintf("%s-%d", prefix, n), "e", "c", now, obj{"pad": strings.Repeat("p", 500)}))
		enc, err := json.Marshal(obj{"events": events})
		if err != nil {
			t.Fatal(err)
		}
		if len(enc) >= size {
			return enc
		}
	}
}

func TestIngestRoutesHaveALargerBodyLimitThanTheRest(t *testing.T) {
	eachWith(t, func(c *app.Config) { c.BodyLimit, c.IngestBodyLimit = "2K", "16K" }, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "limits")
		t.Run("a 4K body is too large for a customer", func(t *testing.T) {
			r := call(t, s, "POST", "/v1/customers", f.key, obj{"external_id": "c", "currency": "USD", "name": strings.Repeat("n", 4000)})
			wantError(t, r, 413, "request_too_large")
		})
		t.Run("the same size is taken by the batch route", func(t *testing.T) {
			var res ingestResult
			must(t, s, 202, "POST", "/v1/events/batch", f.key, batchOf(t, "mid", 4<<10)).Decode(t, &res)
			if res.Accepted == 0 || len(res.Rejected) != 0 {
				t.Errorf("batch under the ingest limit: %+v", res)
			}
		})
		t.Run("a single event over the general limit is taken", func(t *testing.T) {
			must(t, s, 202, "POST", "/v1/events", f.key, event("one", "e", "c", now, obj{"pad": strings.Repeat("p", 4000)}))
		})
		t.Run("a batch over the ingest limit is 413", func(t *testing.T) {
			wantError(t, call(t, s, "POST", "/v1/events/batch", f.key, batchOf(t, "big", 20<<10)), 413, "request_too_large")
		})
	})
}

// securityHeaders are the headers every reply carries.
var securityHeaders = map[string]string{
	"X-Content-Type-Options":  "nosniff",
	"Cache-Control":           "no-store",
	"X-Frame-Options":         "DENY",
	"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
	"Referrer-Policy":         "no-referrer",
}

func TestEveryReplyCarriesTheSecurityHeaders(t *testing.T) {
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		tenant := must(t, s, 201, "POST", "/v1/tenants", apptest.RootKey, obj{"name": "headers"})
		key := tenant.JSON(t)["api_key"].(string)
		replies := map[string]reply{
			"tenant creation (carries a key)":  tenant,
			"api key creation (carries a key)": must(t, s, 201, "POST", "/v1/api_keys", key, obj{"kind": "ingest", "name": "c"}),
			"a list":                           must(t, s, 200, "GET", "/v1/customers", key, nil),
			"an error":                         call(t, s, "POST", "/v1/customers", key, obj{}),
			"an unknown route":                 call(t, s, "GET", "/nowhere", "", nil),
			"unauthenticated":                  call(t, s, "GET", "/v1/customers", "", nil),
			"healthz":                          must(t, s, 200, "GET", "/healthz", "", nil),
			"metrics":                          must(t, s, 200, "GET", "/metrics", "", nil),
		}
		for what, r := range replies {
			for h, want := range securityHeaders {
				if got := r.Header.Get(h); got != want {
					t.Errorf("%s (%d): %s = %q, want %q", what, r.Status, h, got, want)
				}
			}
			if got := r.Header.Get("Access-Control-Allow-Origin"); got != "" {
				t.Errorf("%s: CORS is off by default, yet Access-Control-Allow-Origin = %q", what, got)
			}
		}
	})
}

// preflight sends a CORS preflight from origin.
func preflight(t *testing.T, s *apptest.Server, path, origin string) reply {
	t.Helper()
	req, err := http.NewRequest("OPTIONS", s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "authorization, content-type, idempotency-key")
	r, err := doRequest(req)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// noCORS fails unless r carries no Access-Control-* header.
func noCORS(t *testing.T, what string, r reply) {
	t.Helper()
	for h := range r.Header {
		if strings.HasPrefix(h, "Access-Control-") {
			t.Errorf("%s: %s = %q, want no CORS header", what, h, r.Header.Get(h))
		}
	}
}

func TestCORSAnswersOnlyTheAllowedOrigins(t *testing.T) {
	const good, evil = "https://app.example.com", "https://evil.example.com"
	t.Run("off by default", func(t *testing.T) {
		s := apptest.Start(t, store.SQLite, now)
		noCORS(t, "preflight", preflight(t, s, "/v1/customers", good))
		r, err := send(s, "GET", "/healthz", "", nil, "Origin", good)
		if err != nil {
			t.Fatal(err)
		}
		noCORS(t, "GET", r)
	})
	eachWith(t, func(c *app.Config) { c.CORSOrigins = []string{good, "http://localhost:3000"} }, func(t *testing.T, s *apptest.Server) {
		key := s.NewTenant("cors")
		t.Run("an allowed origin's preflight gets the methods and headers", func(t *testing.T) {
			r := preflight(t, s, "/v1/customers", good)
			if r.Status != 204 {
				t.Errorf("preflight status %d, want 204", r.Status)
			}
			if got := r.Header.Get("Access-Control-Allow-Origin"); got != good {
				t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, good)
			}
			methods := r.Header.Get("Access-Control-Allow-Methods")
			for _, m := range []string{"GET", "POST", "PATCH", "PUT", "DELETE"} {
				if !strings.Contains(methods, m) {
					t.Errorf("Access-Control-Allow-Methods %q lacks %s", methods, m)
				}
			}
			headers := strings.ToLower(r.Header.Get("Access-Control-Allow-Headers"))
			for _, h := range []string{"authorization", "content-type", "idempotency-key", "x-api-key"} {
				if !strings.Contains(headers, h) {
					t.Errorf("Access-Control-Allow-Headers %q lacks %s", headers, h)
				}
			}
			if r.Header.Get("Access-Control-Max-Age") == "" {
				t.Error("no Access-Control-Max-Age")
			}
		})
		t.Run("an allowed origin's request gets its origin and the exposed headers", func(t *testing.T) {
			r, err := send(s, "GET", "/v1/customers", key, nil, "Origin", good)
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != 200 || r.Header.Get("Access-Control-Allow-Origin") != good {
				t.Errorf("status %d, Access-Control-Allow-Origin %q", r.Status, r.Header.Get("Access-Control-Allow-Origin"))
			}
			exposed := strings.ToLower(r.Header.Get("Access-Control-Expose-Headers"))
			for _, h := range []string{"x-request-id", "x-ratelimit-remaining", "retry-after"} {
				if !strings.Contains(exposed, h) {
					t.Errorf("Access-Control-Expose-Headers %q lacks %s", exposed, h)
				}
			}
			if !strings.Contains(strings.Join(r.Header.Values("Vary"), ","), "Origin") {
				t.Errorf("Vary %q lacks Origin", r.Header.Values("Vary"))
			}
		})
		t.Run("another origin gets no CORS header", func(t *testing.T) {
			noCORS(t, "preflight", preflight(t, s, "/v1/customers", evil))
			noCORS(t, "preflight of a look-alike", preflight(t, s, "/v1/customers", good+".evil.com"))
			r, err := send(s, "GET", "/v1/customers", key, nil, "Origin", evil)
			if err != nil {
				t.Fatal(err)
			}
			noCORS(t, "GET", r)
		})
	})
}

// TestAnotherTenantsIDIsA404BeforeAnyStateCheck checks that ownership is
// checked first: syncing tenant A's invoice with tenant B's key is a 404,
// not the 409 stripe_disabled that A itself gets (Stripe is off here).
func TestAnotherTenantsIDIsA404BeforeAnyStateCheck(t *testing.T) {
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		a := newFixture(t, s, "owner")
		b := newFixture(t, s, "intruder")
		a.flatPlan("pro", "USD")
		a.customer("acme", "USD")
		a.subscribe("acme", "pro")
		must(t, s, 201, "POST", "/v1/invoice_runs", a.key, obj{"wait": true})
		var invoices page[map[string]any]
		must(t, s, 200, "GET", "/v1/invoices", a.key, nil).Decode(t, &invoices)
		if len(invoices.Data) == 0 {
			t.Fatal("the run drafted no invoice")
		}
		id := invoices.Data[0]["id"].(string)

		wantError(t, call(t, s, "POST", "/v1/invoices/"+id+"/sync", b.key, nil), 404, "not_found")
		wantError(t, call(t, s, "POST", "/v1/invoices/in_nosuch/sync", a.key, nil), 404, "not_found")
		wantError(t, call(t, s, "POST", "/v1/invoices/"+id+"/sync", a.key, nil), 409, "stripe_disabled")
		for _, action := range []string{"finalize", "void", "mark_paid", "mark_uncollectible", "regenerate", "recompute"} {
			wantError(t, call(t, s, "POST", "/v1/invoices/"+id+"/"+action, b.key, nil), 404, "not_found")
		}
	})
}
