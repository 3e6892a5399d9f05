package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/tallyhq/tally/api"
	"github.com/tallyhq/tally/app/apptest"
	"github.com/tallyhq/tally/store"
)

// contract is the OpenAPI document of the API loaded with kin-openapi, and
// a router over its operations; built once per test binary.
var contract struct {
	once   sync.Once
	doc    *openapi3.T
	router routers.Router
	err    error
}

// loadContract loads and validates the document the server publishes
// (the same one /openapi.json serves: it depends on no settings).
func loadContract() (*openapi3.T, routers.Router, error) {
	contract.once.Do(func() {
		data, err := api.New(&api.Services{}, api.Config{}, nil).OpenAPI()
		if err != nil {
			contract.err = err
			return
		}
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(data)
		if err != nil {
			contract.err = fmt.Errorf("load the OpenAPI document: %w", err)
			return
		}
		if err := doc.Validate(loader.Context); err != nil {
			contract.err = fmt.Errorf("the OpenAPI document is invalid: %w", err)
			return
		}
		r, err := legacy.NewRouter(doc)
		if err != nil {
			contract.err = fmt.Errorf("route the OpenAPI document: %w", err)
			return
		}
		contract.doc, contract.router = doc, r
	})
	return contract.doc, contract.router, contract.err
}

// checkReply validates one reply (status, headers and body) against the
// response schema of its operation in the document. A request the document
// has no operation for (an unknown path or method) must still answer with
// an Error body. HEAD replies, CORS preflights (OPTIONS, answered by the
// CORS middleware before any operation) and the Prometheus text of /metrics
// are not JSON operations and are skipped.
func checkReply(req *http.Request, r reply) error {
	if req.Method == http.MethodHead || req.Method == http.MethodOptions || req.URL.Path == "/metrics" {
		return nil
	}
	doc, router, err := loadContract()
	if err != nil {
		return err
	}
	// The document's server is relative ("/"): route on the path alone.
	req = req.Clone(context.Background())
	req.URL = &url.URL{Path: req.URL.Path, RawPath: req.URL.RawPath, RawQuery: req.URL.RawQuery}
	route, params, err := router.FindRoute(req)
	if err != nil {
		var re *routers.RouteError
		if !errors.As(err, &re) {
			return err
		}
		if r.Status < 400 {
			return fmt.Errorf("OpenAPI: %s %s answered %d but the document has no such operation (%v)", req.Method, req.URL.Path, r.Status, err)
		}
		var v any
		if err := json.Unmarshal(r.Body, &v); err != nil {
			return fmt.Errorf("OpenAPI: %s %s: error reply %d is not JSON: %s", req.Method, req.URL.Path, r.Status, r.Body)
		}
		if err := doc.Components.Schemas["Error"].Value.VisitJSON(v, openapi3.EnableJSONSchema2020()); err != nil {
			return fmt.Errorf("OpenAPI: %s %s: error reply %d does not fit Error: %v", req.Method, req.URL.Path, r.Status, err)
		}
		return nil
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 r.Status,
		Header:                 r.Header,
		Body:                   io.NopCloser(bytes.NewReader(r.Body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		return fmt.Errorf("OpenAPI: %s %s (operation %s %s): reply %d does not fit the document: %v\nbody: %s",
			req.Method, req.URL.RequestURI(), route.Method, route.Path, r.Status, strings.TrimSpace(err.Error()), truncate(r.Body))
	}
	return nil
}

func truncate(b []byte) []byte {
	if len(b) > 2000 {
		return append(b[:2000:2000], "…"...)
	}
	return b
}

// TestOpenAPIDocumentIsValid loads the document with kin-openapi, checks
// it validates, and that /openapi.json serves exactly it.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	doc, _, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Errorf("openapi %q, want 3.1", doc.OpenAPI)
	}
	s := apptest.Start(t, store.SQLite, now)
	served := must(t, s, 200, "GET", "/openapi.json", "", nil)
	want, err := api.New(&api.Services{}, api.Config{}, nil).OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	var a, b any
	served.Decode(t, &a)
	if err := json.Unmarshal(want, &b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Errorf("/openapi.json differs from Server.OpenAPI()")
	}
}
