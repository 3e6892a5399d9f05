package api_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally/app/apptest"
)

// idem sends a POST with an Idempotency-Key (none when idemKey is "").
func idem(t testing.TB, s *apptest.Server, path, key, idemKey string, body any) reply {
	t.Helper()
	var hdr []string
	if idemKey != "" {
		hdr = []string{"Idempotency-Key", idemKey}
	}
	r, err := send(s, "POST", path, key, body, hdr...)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	return r
}

// wantFirst checks a reply processed now (not replayed) with the status.
func wantFirst(t testing.TB, r reply, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	if h := r.Header.Get("Idempotent-Replayed"); h != "" {
		t.Errorf("a processed request has Idempotent-Replayed %q", h)
	}
}

// wantReplay checks that r replays first exactly.
func wantReplay(t testing.TB, r, first reply) {
	t.Helper()
	if r.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("no Idempotent-Replayed: true on the retry (status %d): %s", r.Status, r.Body)
	}
	if r.Status != first.Status || !bytes.Equal(r.Body, first.Body) {
		t.Errorf("retry answered %d %s, want %d %s", r.Status, r.Body, first.Status, first.Body)
	}
	if r.Header.Get("Content-Type") != first.Header.Get("Content-Type") {
		t.Errorf("retry Content-Type %q, want %q", r.Header.Get("Content-Type"), first.Header.Get("Content-Type"))
	}
}

// grants returns how many credit grants the customer has.
func grants(t testing.TB, s *apptest.Server, key, customer string) int {
	t.Helper()
	var l struct {
		Data []map[string]any `json:"data"`
	}
	must(t, s, 200, "GET", "/v1/customers/"+customer+"/credit_grants", key, nil).Decode(t, &l)
	return len(l.Data)
}

func TestIdempotencyKeys(t *testing.T) {
	ten := obj{"amount": "10.00"}
	grantPath := func(customer string) string { return "/v1/customers/" + customer + "/credit_grants" }
	cases := []struct {
		name string
		run  func(t *testing.T, s *apptest.Server, f fixture, customer string)
	}{
		{"a credit grant sent twice with one key makes one grant and the retry replays the first reply", func(t *testing.T, s *apptest.Server, f fixture, cust string) {
			first := idem(t, s, grantPath(cust), f.key, "grant-1", ten)
			wantFirst(t, first, 201)
			wantReplay(t, idem(t, s, grantPath(cust), f.key, "grant-1", ten), first)
			if n := grants(t, s, f.key, cust); n != 1 {
				t.Errorf("%d grants, want 1", n)
			}
		}},
		{"an API key created twice with one key is made once and the retry gets the same secret", func(t *testing.T, s *apptest.Server, f fixture, _ string) {
			body := obj{"kind": "ingest", "name": "collector"}
			first := idem(t, s, "/v1/api_keys", f.key, "key-1", body)
			wantFirst(t, first, 201)
			wantReplay(t, idem(t, s, "/v1/api_keys", f.key, "key-1", body), first)
			var l struct {
				Data []map[string]any `json:"data"`
			}
			must(t, s, 200, "GET", "/v1/api_keys", f.key, nil).Decode(t, &l)
			if len(l.Data) != 2 {
				t.Errorf("%d keys, want 2 (the tenant's first and one ingest key)", len(l.Data))
			}
		}},
		{"the same key with another body is 422 idempotency_key_reused and does nothing", func(t *testing.T, s *apptest.Server, f fixture, cust string) {
			wantFirst(t, idem(t, s, grantPath(cust), f.key, "k", ten), 201)
			wantError(t, idem(t, s, grantPath(cust), f.key, "k", obj{"amount": "20.00"}), 422, "idempotency_key_reused", "Idempotency-Key")
			wantError(t, idem(t, s, "/v1/api_keys", f.key, "k", obj{"kind": "ingest", "name": "x"}), 422, "idempotency_key_reused", "Idempotency-Key")
			if n := grants(t, s, f.key, cust); n != 1 {
				t.Errorf("%d grants, want 1", n)
			}
		}},
		{"a body differing only in key order and spacing is the same request", func(t *testing.T, s *apptest.Server, f fixture, cust string) {
			first := idem(t, s, grantPath(cust), f.key, "k", `{"amount":"10.00","name":"promo"}`)
			wantFirst(t, first, 201)
			wantReplay(t, idem(t, s, grantPath(cust), f.key, "k", "{ \"name\": \"promo\",\n  \"amount\": \"10.00\" }"), first)
		}},
		{"another API key with the same Idempotency-Key is independent", func(t *testing.T, s *apptest.Server, f fixture, cust string) {
			other := f.create("/v1/api_keys", obj{"kind": "admin", "name": "second"})["key"].(string)
			wantFirst(t, idem(t, s, grantPath(cust), f.key, "shared", ten), 201)
			wantFirst(t, idem(t, s, grantPath(cust), other, "shared", ten), 201)
			if n := grants(t, s, f.key, cust); n != 2 {
				t.Errorf("%d grants, want 2", n)
			}
		}},
		{"the root key's Idempotency-Keys are its own", func(t *testing.T, s *apptest.Server, f fixture, cust string) {
			wantFirst(t, idem(t, s, grantPath(cust), f.key, "shared", ten), 201)
			first := idem(t, s, "/v1/tenants", apptest.RootKey, "shared", obj{"name": "Beta"})
			wantFirst(t, first, 201)
			wantReplay(t, idem(t, s, "/v1/tenants", apptest.RootKey, "shared", obj{"name": "Beta"}), first)
		}},
		{"eight concurrent requests with one key process exactly one", func(t *testing.T, s *apptest.Server, f fixture, cust string) {
			replies := make([]reply, 8)
			errs := make([]error, 8)
			var wg sync.WaitGroup
			for i := range replies {
				wg.Add(1)
				go func() {
					defer wg.Done()
					replies[i], errs[i] = send(s, "POST", grantPath(cust), f.key, ten, "Idempotency-Key", "race")
				}()
			}
			wg.Wait()
			processed := 0
			for i, r := range replies {
				switch {
				case errs[i] != nil:
					t.Fatal(errs[i])
				case r.Status == 201 && r.Header.Get("Idempotent-Replayed") == "":
					processed++
				case r.Status == 201:
				case r.Status == 409:
					wantError(t, r, 409, "idempotency_in_progress")
					if r.Header.Get("Retry-After") == "" {
						t.Error("409 idempotency_in_progress without Retry-After")
					}
				default:
					t.Errorf("unexpected reply %d %s", r.Status, r.Body)
				}
			}
			if processed != 1 {
				t.Errorf("%d requests processed, want 1", processed)
			}
			if n := grants(t, s, f.key, cust); n != 1 {
				t.Errorf("%d grants, want 1", n)
			}
		}},
		{"a key older than 24 hours is processed anew", func(t *testing.T, s *apptest.Server, f fixture, cust string) {
			wantFirst(t, idem(t, s, grantPath(cust), f.key, "old", ten), 201)
			s.Clock.Advance(24*time.Hour - time.Second)
			if r := idem(t, s, grantPath(cust), f.key, "old", ten); r.Header.Get("Idempotent-Replayed") != "true" {
				t.Errorf("a retry before 24 h was processed: %d %s", r.Status, r.Body)
			}
			s.Clock.Advance(time.Second)
			wantFirst(t, idem(t, s, grantPath(cust), f.key, "old", ten), 201)
			if n := grants(t, s, f.key, cust); n != 2 {
				t.Errorf("%d grants, want 2", n)
			}
		}},
		{"a 4xx reply is stored and replayed", func(t *testing.T, s *apptest.Server, f fixture, cust string) {
			bad := obj{"amount": "-5"}
			first := idem(t, s, grantPath(cust), f.key, "bad", bad)
			wantError(t, first, 422, "validation_failed", "amount")
			wantReplay(t, idem(t, s, grantPath(cust), f.key, "bad", bad), first)
		}},
		{"an Idempotency-Key longer than 255 characters is invalid", func(t *testing.T, s *apptest.Server, f fixture, cust string) {
			wantError(t, idem(t, s, grantPath(cust), f.key, strings.Repeat("k", 256), ten), 422, "validation_failed", "Idempotency-Key")
			if n := grants(t, s, f.key, cust); n != 0 {
				t.Errorf("%d grants, want 0", n)
			}
		}},
		{"a request without the header is processed every time", func(t *testing.T, s *apptest.Server, f fixture, cust string) {
			wantFirst(t, idem(t, s, grantPath(cust), f.key, "", ten), 201)
			wantFirst(t, idem(t, s, grantPath(cust), f.key, "", ten), 201)
			if n := grants(t, s, f.key, cust); n != 2 {
				t.Errorf("%d grants, want 2", n)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
				f := newFixture(t, s, "Acme")
				tc.run(t, s, f, f.customer("acme", "USD"))
			})
		})
	}
}
