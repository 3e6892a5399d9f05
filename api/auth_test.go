package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/tallyhq/tally/app/apptest"
)

// TestAuthentication checks who may call what: no key, unknown and revoked
// keys are 401; a known key outside its rights is 403.
func TestAuthentication(t *testing.T) {
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "auth")
		f.countMeter("calls", "api.call")
		ingest := f.create("/v1/api_keys", obj{"kind": "ingest", "name": "collector"})
		if ingest["kind"] != "ingest" || ingest["name"] != "collector" || !strings.HasPrefix(ingest["id"].(string), "key_") {
			t.Errorf("created key echoed as %v", ingest)
		}
		ingestKey, _ := ingest["key"].(string)
		spare := f.create("/v1/api_keys", obj{"kind": "admin", "name": "spare"})
		spareKey := spare["key"].(string)
		must(t, s, 200, "GET", "/v1/meters", spareKey, nil)
		revoked := must(t, s, 200, "DELETE", "/v1/api_keys/"+spare["id"].(string), f.key, nil).JSON(t)
		if revoked["revoked_at"] == nil {
			t.Errorf("DELETE /v1/api_keys/{id} answers %v, want revoked_at set", revoked)
		}

		ev := func(id string) obj { return event(id, "api.call", "acme", now, nil) }
		batch := obj{"events": list{ev("b-1"), ev("b-2")}}
		cases := []struct {
			name   string
			method string
			path   string
			key    string
			body   any
			status int
		}{
			{"a request without a key is 401", "GET", "/v1/meters", "", nil, 401},
			{"an event without a key is 401", "POST", "/v1/events", "", ev("n-1"), 401},
			{"an unknown key is 401", "GET", "/v1/meters", "tly_adm_doesnotexistdoesnotexist00", nil, 401},
			{"an unknown key cannot send events", "POST", "/v1/events", "nope", ev("n-2"), 401},
			{"a revoked key is 401", "GET", "/v1/meters", spareKey, nil, 401},
			{"a revoked key cannot send events", "POST", "/v1/events", spareKey, ev("n-3"), 401},
			{"an ingest key can send one event", "POST", "/v1/events", ingestKey, ev("i-1"), 202},
			{"an ingest key can send a batch", "POST", "/v1/events/batch", ingestKey, batch, 202},
			{"an ingest key cannot list meters", "GET", "/v1/meters", ingestKey, nil, 403},
			{"an ingest key cannot list events", "GET", "/v1/events", ingestKey, nil, 403},
			{"an ingest key cannot create meters", "POST", "/v1/meters", ingestKey, obj{"key": "m2", "event_name": "e", "aggregation": obj{"type": "count"}}, 403},
			{"an ingest key cannot create keys", "POST", "/v1/api_keys", ingestKey, obj{"kind": "admin", "name": "escalate"}, 403},
			{"an ingest key cannot create tenants", "POST", "/v1/tenants", ingestKey, obj{"name": "t"}, 403},
			{"the root key can create tenants", "POST", "/v1/tenants", apptest.RootKey, obj{"name": "another"}, 201},
			{"the root key cannot list meters", "GET", "/v1/meters", apptest.RootKey, nil, 403},
			{"the root key cannot create customers", "POST", "/v1/customers", apptest.RootKey, obj{"external_id": "c", "currency": "USD"}, 403},
			{"the root key cannot send events", "POST", "/v1/events", apptest.RootKey, ev("r-1"), 403},
			{"the root key cannot list keys", "GET", "/v1/api_keys", apptest.RootKey, nil, 403},
			{"an admin key cannot create tenants", "POST", "/v1/tenants", f.key, obj{"name": "t"}, 403},
			{"an admin key can send events", "POST", "/v1/events", f.key, ev("a-1"), 202},
			{"public routes need no key", "GET", "/healthz", "", nil, 200},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := call(t, s, c.method, c.path, c.key, c.body)
				switch c.status {
				case 401:
					wantError(t, r, 401, "unauthorized")
				case 403:
					wantError(t, r, 403, "forbidden")
				default:
					if r.Status != c.status {
						t.Fatalf("status %d, want %d: %s", r.Status, c.status, r.Body)
					}
				}
			})
		}

		t.Run("a key sent with another scheme than Bearer is 401", func(t *testing.T) {
			req, _ := http.NewRequest("GET", s.URL+"/v1/meters", nil)
			req.Header.Set("Authorization", "Basic "+f.key)
			r, err := doRequest(req)
			if err != nil {
				t.Fatal(err)
			}
			wantError(t, r, 401, "unauthorized")
		})
		t.Run("the bearer scheme is case-insensitive", func(t *testing.T) {
			req, _ := http.NewRequest("GET", s.URL+"/v1/meters", nil)
			req.Header.Set("Authorization", "bearer "+f.key)
			r, err := doRequest(req)
			if err != nil || r.Status != 200 {
				t.Fatalf("status %d (%v): %s", r.Status, err, r.Body)
			}
		})
		t.Run("key lists never show a secret", func(t *testing.T) {
			r := must(t, s, 200, "GET", "/v1/api_keys", f.key, nil)
			for _, secret := range []string{f.key, ingestKey, spareKey} {
				if strings.Contains(string(r.Body), secret) {
					t.Errorf("GET /v1/api_keys shows a key's secret: %s", r.Body)
				}
			}
			var keys page[map[string]any]
			r.Decode(t, &keys)
			if len(keys.Data) != 3 {
				t.Errorf("GET /v1/api_keys lists %d keys, want 3 (revoked ones included)", len(keys.Data))
			}
		})
		t.Run("revoking twice is harmless and the key stays revoked", func(t *testing.T) {
			must(t, s, 200, "DELETE", "/v1/api_keys/"+spare["id"].(string), f.key, nil)
			wantError(t, call(t, s, "GET", "/v1/meters", spareKey, nil), 401, "unauthorized")
		})
		t.Run("the events sent with the ingest and admin keys were stored", func(t *testing.T) {
			events, _ := all[storedEvent](t, s, f.key, "/v1/events", 50)
			var got []string
			for _, e := range events {
				got = append(got, e.ID)
			}
			slices.Sort(got)
			if strings.Join(got, ",") != "a-1,b-1,b-2,i-1" {
				t.Errorf("stored events %v, want i-1, b-1, b-2, a-1 (and none of the refused)", got)
			}
		})
	})
}
