package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/tallyhq/tally/app/apptest"
)

// TestOperations checks the health, readiness and metrics endpoints.
func TestOperations(t *testing.T) {
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		t.Run("healthz answers 200 without a key", func(t *testing.T) {
			if r := must(t, s, 200, "GET", "/healthz", "", nil).JSON(t); r["status"] != "ok" {
				t.Errorf("healthz %v", r)
			}
		})
		t.Run("readyz answers 200 when the database answers", func(t *testing.T) {
			if r := must(t, s, 200, "GET", "/readyz", "", nil).JSON(t); r["status"] != "ok" {
				t.Errorf("readyz %v", r)
			}
		})
		t.Run("metrics count requests and ingested events", func(t *testing.T) {
			f := newFixture(t, s, "metrics")
			f.countMeter("calls", "api.call")
			f.batch(event("m-1", "api.call", "acme", now, nil), event("m-2", "api.call", "acme", now, nil), event("m-1", "api.call", "acme", now, nil),
				obj{"id": "m-3"})
			call(t, s, "GET", "/v1/meters", "", nil)
			r := must(t, s, 200, "GET", "/metrics", "", nil)
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
				t.Errorf("metrics Content-Type %q", ct)
			}
			body := string(r.Body)
			for _, want := range []string{
				`tally_events_ingested_total{result="accepted"} 2`,
				`tally_events_ingested_total{result="duplicate"} 1`,
				`tally_events_ingested_total{result="rejected"} 1`,
				`tally_http_requests_total{method="POST",route="/v1/events/batch",status="202"} 1`,
				`tally_http_requests_total{method="GET",route="/v1/meters",status="401"} 1`,
				`tally_http_requests_total{method="POST",route="/v1/tenants",status="201"} 1`,
				`tally_http_request_duration_seconds_bucket`,
			} {
				if !strings.Contains(body, want) {
					t.Errorf("metrics lack %s", want)
				}
			}
			if regexp.MustCompile(`route="/v1/meters/mtr_`).MatchString(body) {
				t.Errorf("metrics label routes by raw path (unbounded cardinality)")
			}
		})
	})
}

// TestOpenAPIDocument checks that /openapi.json describes every route the
// router serves, and only those, each with a summary.
func TestOpenAPIDocument(t *testing.T) {
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		var doc struct {
			OpenAPI    string                               `json:"openapi"`
			Paths      map[string]map[string]map[string]any `json:"paths"`
			Components struct {
				Schemas map[string]any `json:"schemas"`
			} `json:"components"`
		}
		r := must(t, s, 200, "GET", "/openapi.json", "", nil)
		r.Decode(t, &doc)
		if !strings.HasPrefix(doc.OpenAPI, "3.") {
			t.Errorf("openapi version %q", doc.OpenAPI)
		}
		param := regexp.MustCompile(`:([A-Za-z_]+)`)
		served := map[string]bool{}
		for _, rt := range s.App.API.Echo().Routes() {
			if strings.HasPrefix(rt.Path, "/*") || rt.Method == "echo_route_not_found" {
				continue
			}
			path := param.ReplaceAllString(rt.Path, "{$1}")
			method := strings.ToLower(rt.Method)
			served[method+" "+path] = true
			op, ok := doc.Paths[path][method]
			if !ok {
				t.Errorf("%s %s is served but not in /openapi.json", rt.Method, path)
				continue
			}
			if sum, _ := op["summary"].(string); strings.TrimSpace(sum) == "" {
				t.Errorf("%s %s has no summary", rt.Method, path)
			}
			if _, ok := op["responses"]; !ok {
				t.Errorf("%s %s has no responses", rt.Method, path)
			}
		}
		if len(served) < 25 {
			t.Errorf("only %d routes served; the route table did not load", len(served))
		}
		for path, ops := range doc.Paths {
			for method := range ops {
				if !served[method+" "+path] {
					t.Errorf("/openapi.json documents %s %s, which the router does not serve", strings.ToUpper(method), path)
				}
			}
		}
		// Every schema reference resolves.
		refs := regexp.MustCompile(`"\$ref":"#/components/schemas/([^"]+)"`).FindAllSubmatch(r.Body, -1)
		if len(refs) == 0 {
			t.Errorf("no schema references in the document")
		}
		for _, m := range refs {
			if _, ok := doc.Components.Schemas[string(m[1])]; !ok {
				t.Errorf("reference to missing schema %s", m[1])
			}
		}
	})
}

// TestRequestLimitsAndIDs checks the body size limit and request ids.
func TestRequestLimitsAndIDs(t *testing.T) {
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "limits")
		// A batch body of about 9 MB, over the 8 MB limit.
		big := bytes.Repeat([]byte(`{"id":"x","event_name":"e","customer":"c","properties":{"pad":"`+strings.Repeat("p", 900)+`"}},`), 9*1024)
		body := append(append([]byte(`{"events":[`), big[:len(big)-1]...), ']', '}')

		t.Run("a body over the limit with a Content-Length is 413", func(t *testing.T) {
			r, err := send(s, "POST", "/v1/events/batch", f.key, body)
			if err != nil {
				t.Fatal(err)
			}
			wantError(t, r, 413, "request_too_large")
		})
		t.Run("a chunked body over the limit is 413", func(t *testing.T) {
			req, _ := http.NewRequest("POST", s.URL+"/v1/events/batch", io.MultiReader(bytes.NewReader(body)))
			req.ContentLength = -1
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+f.key)
			r, err := doRequest(req)
			if err != nil {
				t.Fatal(err)
			}
			wantError(t, r, 413, "request_too_large")
		})
		t.Run("a large body under the limit is taken", func(t *testing.T) {
			var events []any
			for i := 0; i < 1000; i++ {
				events = append(events, event(fmt.Sprintf("big-%04d", i), "e", "c", now, obj{"pad": strings.Repeat("p", 7000)}))
			}
			enc, _ := json.Marshal(obj{"events": events})
			if len(enc) < 6<<20 {
				t.Fatalf("body of %d bytes is not large", len(enc))
			}
			var res ingestResult
			must(t, s, 202, "POST", "/v1/events/batch", f.key, enc).Decode(t, &res)
			if res.Accepted != 1000 {
				t.Errorf("large batch: %+v", res)
			}
		})
		t.Run("every reply carries an X-Request-Id", func(t *testing.T) {
			ids := map[string]bool{}
			for _, c := range []struct{ method, path, key string }{
				{"GET", "/healthz", ""}, {"GET", "/v1/meters", f.key}, {"GET", "/v1/meters", ""}, {"GET", "/v1/meters/mtr_x", f.key}, {"GET", "/nowhere", ""},
			} {
				r := call(t, s, c.method, c.path, c.key, nil)
				id := r.Header.Get("X-Request-Id")
				if id == "" {
					t.Errorf("%s %s (status %d) has no X-Request-Id", c.method, c.path, r.Status)
				}
				if ids[id] {
					t.Errorf("request id %q given twice", id)
				}
				ids[id] = true
			}
		})
		t.Run("a request id sent by the client is kept", func(t *testing.T) {
			r, err := send(s, "GET", "/healthz", "", nil, "X-Request-Id", "trace-123")
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Header.Get("X-Request-Id"); got != "trace-123" {
				t.Errorf("X-Request-Id %q, want the client's trace-123", got)
			}
		})
	})
}
