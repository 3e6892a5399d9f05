package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/app/apptest"
)

// now is the fixed clock of every test server in this package.
var now = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// reply is one HTTP answer, headers included.
type reply struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body as an object, failing the test if it is not one.
func (r reply) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("reply is not a JSON object (%v): %s", err, r.Body)
	}
	return m
}

// Decode decodes the body into v.
func (r reply) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// encodeBody turns a body given as nil, raw JSON text, bytes or a value into
// a reader.
func encodeBody(body any) (io.Reader, error) {
	switch b := body.(type) {
	case nil:
		return nil, nil
	case string:
		return strings.NewReader(b), nil
	case []byte:
		return bytes.NewReader(b), nil
	}
	enc, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	return bytes.NewReader(enc), nil
}

// send performs one request. It never touches a testing.T, so goroutines
// may call it.
func send(s *apptest.Server, method, path, key string, body any, header ...string) (reply, error) {
	rd, err := encodeBody(body)
	if err != nil {
		return reply{}, err
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		return reply{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return doRequest(req)
}

// doRequest performs req and checks the reply against the OpenAPI
// document (checkReply): a reply that does not fit is an error naming the
// path and the schema problem.
func doRequest(req *http.Request) (reply, error) {
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		return reply{}, err
	}
	r := reply{Status: res.StatusCode, Header: res.Header, Body: out}
	// Every reply the suite receives must fit the OpenAPI document.
	if err := checkReply(req, r); err != nil {
		return r, err
	}
	return r, nil
}

// call sends a request on behalf of t (which may be a subtest of the one
// that started s).
func call(t testing.TB, s *apptest.Server, method, path, key string, body any) reply {
	t.Helper()
	r, err := send(s, method, path, key, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

// must sends a request and fails t unless the status is want.
func must(t testing.TB, s *apptest.Server, want int, method, path, key string, body any) reply {
	t.Helper()
	r := call(t, s, method, path, key, body)
	if r.Status != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.Status, want, r.Body)
	}
	return r
}

// apiError is the contract's error body.
type apiError struct {
	Code    string        `json:"code"`
	Message string        `json:"message"`
	Details []fieldDetail `json:"details"`
}

type fieldDetail struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// wantError checks that r is an error of the status and code (code "" =
// any) in the contract's shape — {"error": {"code", "message", "details":
// [{"field", "message"}]}} — whose details name exactly the fields given (in
// any order; none given = no details).
func wantError(t testing.TB, r reply, status int, code string, fields ...string) apiError {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("error Content-Type %q, want application/json", ct)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &top); err != nil {
		t.Fatalf("error body is not a JSON object (%v): %s", err, r.Body)
	}
	var shape map[string]json.RawMessage
	if err := json.Unmarshal(top["error"], &shape); err != nil {
		t.Fatalf(`error body has no "error" object: %s`, r.Body)
	}
	for _, k := range []string{"code", "message", "details"} {
		if _, ok := shape[k]; !ok {
			t.Fatalf("error body lacks error.%s: %s", k, r.Body)
		}
	}
	if !bytes.HasPrefix(bytes.TrimSpace(shape["details"]), []byte("[")) {
		t.Fatalf("error.details is not an array: %s", r.Body)
	}
	var e apiError
	if err := json.Unmarshal(top["error"], &e); err != nil {
		t.Fatalf("error body of the wrong types (%v): %s", err, r.Body)
	}
	if e.Code == "" || e.Message == "" {
		t.Errorf("error without code or message: %s", r.Body)
	}
	if code != "" && e.Code != code {
		t.Errorf("error code %q, want %q: %s", e.Code, code, r.Body)
	}
	var got []string
	for _, d := range e.Details {
		if d.Field == "" || d.Message == "" {
			t.Errorf("detail without field or message: %s", r.Body)
		}
		got = append(got, d.Field)
	}
	want := slices.Clone(fields)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("error names fields %q, want %q: %s", got, want, r.Body)
	}
	return e
}

// detail returns the message of the detail naming field.
func (e apiError) detail(field string) string {
	for _, d := range e.Details {
		if d.Field == field {
			return d.Message
		}
	}
	return ""
}

// wantDecimal compares a decimal given as a JSON string with want, by
// value ("19.00" equals "19").
func wantDecimal(t testing.TB, what string, got any, want string) {
	t.Helper()
	s, ok := got.(string)
	if !ok {
		t.Errorf("%s = %#v, want the decimal string %q", what, got, want)
		return
	}
	g, err := decimal.NewFromString(s)
	if err != nil {
		t.Errorf("%s = %q is not a decimal", what, s)
		return
	}
	if !g.Equal(decimal.RequireFromString(want)) {
		t.Errorf("%s = %s, want %s", what, s, want)
	}
}

// q builds a query string.
func q(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return "?" + v.Encode()
}

// obj is shorthand for a JSON object body.
type obj = map[string]any

// list is shorthand for a JSON array.
type list = []any

// fixture creates resources in one tenant and returns their ids.
type fixture struct {
	t   testing.TB
	s   *apptest.Server
	key string
}

func newFixture(t testing.TB, s *apptest.Server, tenant string) fixture {
	t.Helper()
	r := must(t, s, 201, "POST", "/v1/tenants", apptest.RootKey, obj{"name": tenant})
	return fixture{t: t, s: s, key: r.JSON(t)["api_key"].(string)}
}

// with returns the fixture acting for t (a subtest of the one that made it).
func (f fixture) with(t testing.TB) fixture {
	f.t = t
	return f
}

func (f fixture) create(path string, body any) map[string]any {
	f.t.Helper()
	return must(f.t, f.s, 201, "POST", path, f.key, body).JSON(f.t)
}

func (f fixture) countMeter(key, eventName string) string {
	f.t.Helper()
	return f.create("/v1/meters", obj{"key": key, "event_name": eventName, "aggregation": obj{"type": "count"}})["id"].(string)
}

func (f fixture) sumMeter(key, eventName, field string) string {
	f.t.Helper()
	return f.create("/v1/meters", obj{"key": key, "event_name": eventName, "aggregation": obj{"type": "sum", "field": field}})["id"].(string)
}

// flatPlan creates a plan with one fixed fee.
func (f fixture) flatPlan(key, currency string) string {
	f.t.Helper()
	return f.create("/v1/plans", obj{"key": key, "currency": currency, "interval": "month",
		"prices": list{obj{"key": "base", "type": "fixed", "model": "flat", "amount": "10.00"}}})["id"].(string)
}

func (f fixture) customer(externalID, currency string) string {
	f.t.Helper()
	return f.create("/v1/customers", obj{"external_id": externalID, "currency": currency})["id"].(string)
}

func (f fixture) subscribe(customer, plan string) string {
	f.t.Helper()
	return f.create("/v1/subscriptions", obj{"customer": customer, "plan": plan, "start_at": "2026-02-15T00:00:00Z"})["id"].(string)
}

// ingestKey creates an ingest key and returns its secret.
func (f fixture) ingestKey() string {
	f.t.Helper()
	return f.create("/v1/api_keys", obj{"kind": "ingest", "name": "collector"})["key"].(string)
}

// ingestResult is the reply of POST /v1/events[/batch].
type ingestResult struct {
	Accepted   int `json:"accepted"`
	Duplicates int `json:"duplicates"`
	Rejected   []struct {
		Index int      `json:"index"`
		Error apiError `json:"error"`
	} `json:"rejected"`
}

func (f fixture) batch(events ...any) ingestResult {
	f.t.Helper()
	var res ingestResult
	must(f.t, f.s, 202, "POST", "/v1/events/batch", f.key, obj{"events": events}).Decode(f.t, &res)
	return res
}

// event builds an event body.
func event(id, name, customer string, ts time.Time, props obj) obj {
	e := obj{"id": id, "event_name": name, "customer": customer, "timestamp": ts.Format(time.RFC3339Nano)}
	if props != nil {
		e["properties"] = props
	}
	return e
}

// storedEvent is one row of GET /v1/events.
type storedEvent struct {
	ID         string          `json:"id"`
	EventName  string          `json:"event_name"`
	Customer   string          `json:"customer"`
	Timestamp  string          `json:"timestamp"`
	Properties json.RawMessage `json:"properties"`
	ReceivedAt string          `json:"received_at"`
}

type page[T any] struct {
	Data       []T     `json:"data"`
	NextCursor *string `json:"next_cursor"`
}

// all walks a list endpoint page by page and returns every row, failing if
// a page is larger than the limit or the walk does not end.
func all[T any](t testing.TB, s *apptest.Server, key, path string, limit int) ([]T, int) {
	t.Helper()
	var out []T
	cursor := ""
	pages := 0
	for {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		p := fmt.Sprintf("%s%slimit=%d", path, sep, limit)
		if cursor != "" {
			p += "&cursor=" + url.QueryEscape(cursor)
		}
		var pg page[T]
		must(t, s, 200, "GET", p, key, nil).Decode(t, &pg)
		pages++
		if len(pg.Data) > limit {
			t.Fatalf("%s: page of %d rows, limit %d", p, len(pg.Data), limit)
		}
		out = append(out, pg.Data...)
		if pg.NextCursor == nil {
			return out, pages
		}
		if *pg.NextCursor == "" || *pg.NextCursor == cursor {
			t.Fatalf("%s: next_cursor %q does not move on", p, *pg.NextCursor)
		}
		if pages > 1000 {
			t.Fatalf("%s: pagination does not end", path)
		}
		cursor = *pg.NextCursor
	}
}

func idsOf(rows []map[string]any) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i], _ = r["id"].(string)
	}
	return out
}
