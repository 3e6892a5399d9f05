package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/api"
	"github.com/tallyhq/tally/app/apptest"
	"github.com/tallyhq/tally/store"
)

// httpFuzzRequests is how many requests TestHTTPFuzz sends
// (TALLY_HTTP_FUZZ_REQUESTS changes it).
func httpFuzzRequests() int {
	if n, err := strconv.Atoi(os.Getenv("TALLY_HTTP_FUZZ_REQUESTS")); err == nil && n > 0 {
		return n
	}
	return 2000
}

// Pools of awkward values the fuzz draws from.
var (
	fuzzScalars = []any{nil, true, false, 0, -1, json.RawMessage("1e400"), json.RawMessage("-0"), "1e400", 1.5, "", " ", "x", "USD", "now", "period_end",
		"2026-03-09T10:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2026-02-30T00:00:00Z", "10.00", "-10.00",
		"0.0000000000001", "99999999999999999999999999999999", "\u0000", "\xff\xfe", strings.Repeat("a", 5000),
		"../../etc/passwd", "'; DROP TABLE meters; --", "<script>", "ü", "month", "day", "tiered", "per_unit", "calls",
		map[string]any{}, []any{}, []any{1, "2", nil}, map[string]any{"type": "count"}}
	fuzzQueryValues = []string{"", "0", "1", "-1", "1001", "99999999999999999999", "abc", "true", "yes",
		"2026-03-01T00:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2026-03-01", "MINUTE", "HOUR", "DAY", "WEEK",
		"hour", "day", "month", "\xff", "\x00", "%", strings.Repeat("z", 3000), "cus_0000000000000000000000000"}
	fuzzContentTypes = []string{"application/json", "application/json; charset=utf-8", "text/plain", "",
		"application/cloudevents+json", "application/cloudevents-batch+json", "multipart/form-data; boundary=x",
		"application/x-www-form-urlencoded", "application/json; charset=latin1", "*/*"}
)

// mutateJSON changes a decoded JSON value at random: a field replaced,
// dropped or added, an array element duplicated, or a type swapped.
func mutateJSON(r *rand.Rand, v any, depth int) any {
	pick := func() any { return fuzzScalars[r.IntN(len(fuzzScalars))] }
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x)+1)
		for k, e := range x {
			out[k] = e
		}
		if len(out) == 0 || r.IntN(4) == 0 {
			out[[]string{"id", "key", "amount", "customer", "timestamp", "unknown_field", "prices", "events", "at"}[r.IntN(9)]] = pick()
			return out
		}
		keys := make([]string, 0, len(out))
		for k := range out {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		k := keys[r.IntN(len(keys))]
		switch r.IntN(3) {
		case 0:
			delete(out, k)
		case 1:
			out[k] = pick()
		default:
			if depth < 6 {
				out[k] = mutateJSON(r, out[k], depth+1)
			} else {
				out[k] = pick()
			}
		}
		return out
	case []any:
		if len(x) == 0 {
			return []any{pick()}
		}
		out := append([]any(nil), x...)
		i := r.IntN(len(out))
		switch r.IntN(3) {
		case 0:
			out = append(out, out[i])
		case 1:
			out[i] = pick()
		default:
			out[i] = mutateJSON(r, out[i], depth+1)
		}
		return out
	}
	return pick()
}

// mutateBytes flips, drops, inserts or truncates bytes.
func mutateBytes(r *rand.Rand, b []byte) []byte {
	b = append([]byte(nil), b...)
	for range 1 + r.IntN(4) {
		if len(b) == 0 {
			b = append(b, byte(r.IntN(256)))
			continue
		}
		i := r.IntN(len(b))
		switch r.IntN(4) {
		case 0:
			b[i] = byte(r.IntN(256))
		case 1:
			b = append(b[:i], b[i+1:]...)
		case 2:
			const syntax = "{}[]\",:\\0e-"
			b = append(b[:i], append([]byte{syntax[r.IntN(len(syntax))]}, b[i:]...)...)
		default:
			b = b[:i]
		}
	}
	return b
}

// fuzzBody is a body for a route: a mutation of its valid body, bytes
// mutated, random garbage, or none.
func fuzzBody(r *rand.Rand, rt api.RouteInfo) []byte {
	valid, ok := matrixBodies[rt.Method+" "+rt.Path]
	if !ok {
		valid = map[string]any{}
	}
	raw, _ := json.Marshal(valid)
	switch r.IntN(6) {
	case 0, 1:
		var v any
		_ = json.Unmarshal(raw, &v)
		for range 1 + r.IntN(3) {
			v = mutateJSON(r, v, 0)
		}
		out, err := json.Marshal(v)
		if err != nil {
			return raw
		}
		return out
	case 2:
		return mutateBytes(r, raw)
	case 3:
		g := make([]byte, r.IntN(300))
		for i := range g {
			g[i] = byte(r.IntN(256))
		}
		return g
	case 4:
		return nil
	}
	return raw
}

// fuzzPath fills path parameters with a real id (of the right kind or
// not), a random string or a mutated id.
func fuzzPath(r *rand.Rand, rt api.RouteInfo, ids map[string]string) string {
	segs := strings.Split(rt.Path, "/")
	all := make([]string, 0, len(ids))
	for _, id := range ids {
		all = append(all, id)
	}
	sort.Strings(all) // map order is random; the seed must replay
	for i, seg := range segs {
		if !strings.HasPrefix(seg, ":") {
			continue
		}
		kind := paramKinds[segs[i-1]+"/"+seg]
		v := ids[kind]
		switch r.IntN(5) {
		case 0:
			v = all[r.IntN(len(all))]
		case 1:
			v = fuzzQueryValues[r.IntN(len(fuzzQueryValues))]
		case 2:
			v = string(mutateBytes(r, []byte(v)))
		}
		segs[i] = url.PathEscape(v)
	}
	p := strings.Join(segs, "/")
	qv := url.Values{}
	for _, name := range rt.Query {
		if r.IntN(2) == 0 {
			if kind, ok := queryKinds[name]; ok && r.IntN(2) == 0 {
				qv.Add(name, ids[kind])
			} else {
				qv.Add(name, fuzzQueryValues[r.IntN(len(fuzzQueryValues))])
			}
		}
	}
	if r.IntN(5) == 0 {
		qv.Add([]string{"limit", "cursor", "junk", "at", "from"}[r.IntN(5)], fuzzQueryValues[r.IntN(len(fuzzQueryValues))])
	}
	if len(qv) > 0 {
		p += "?" + qv.Encode()
	}
	if r.IntN(20) == 0 {
		p += "&%zz=%" // a broken escape
	}
	return p
}

// TestHTTPFuzz sends random and mutated bodies, headers and query strings
// to every route of the table (on SQLite, a seeded PRNG so a failure
// replays): no reply may be a 5xx, none may take longer than 10 s, and
// every reply must fit the OpenAPI document.
func TestHTTPFuzz(t *testing.T) {
	s := apptest.Start(t, store.SQLite, now)
	b := newVictim(t, s)
	ingest := b.ingestKey()
	routes := api.RouteTable(s.App.API)
	seed := uint64(20261201)
	if v, err := strconv.ParseUint(os.Getenv("TALLY_HTTP_FUZZ_SEED"), 10, 64); err == nil {
		seed = v
	}
	r := rand.New(rand.NewPCG(seed, 15))
	client := &http.Client{Timeout: 10 * time.Second}
	n := httpFuzzRequests()
	statuses := map[int]int{}
	var failures int
	for i := range n {
		rt := routes[i%len(routes)] // every route, in turn
		path := fuzzPath(r, rt, b.ids)
		body := fuzzBody(r, rt)
		method := rt.Method
		if r.IntN(40) == 0 {
			method = []string{"PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "POST"}[r.IntN(6)]
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		req, err := http.NewRequestWithContext(ctx, method, s.URL+path, bytes.NewReader(body))
		if err != nil {
			cancel()
			continue // a path net/http itself refuses to send
		}
		req.Header.Set("Content-Type", fuzzContentTypes[r.IntN(len(fuzzContentTypes))])
		switch r.IntN(8) {
		case 0:
		case 1:
			req.Header.Set("Authorization", "Bearer "+ingest)
		case 2:
			req.Header.Set("X-Api-Key", b.key)
		case 3: // junk that net/http can still send as a header
			junk := fuzzQueryValues[r.IntN(len(fuzzQueryValues))]
			req.Header.Set("Authorization", "Bearer "+strings.Map(func(c rune) rune {
				if c < 0x20 || c > 0x7e {
					return '?'
				}
				return c
			}, junk))
		default:
			req.Header.Set("Authorization", "Bearer "+b.key)
		}
		if r.IntN(4) == 0 {
			req.Header.Set("Idempotency-Key", []string{"k1", "k2", "", strings.Repeat("k", 300), "ключ"}[r.IntN(5)])
		}
		if r.IntN(10) == 0 {
			req.Header.Set("Content-Encoding", "gzip")
		}
		if r.IntN(10) == 0 {
			req.Header.Set("X-Forwarded-For", "999.1.1.1, junk")
		}
		if r.IntN(10) == 0 {
			req.Header.Set("Origin", "https://evil.example")
		}
		start := time.Now()
		res, err := client.Do(req)
		if err != nil {
			cancel()
			failures++
			t.Errorf("request %d: %s %s: %v (after %s)", i, method, path, err, time.Since(start))
			continue
		}
		out, _ := io.ReadAll(res.Body)
		res.Body.Close()
		cancel()
		statuses[res.StatusCode]++
		if res.StatusCode >= 500 {
			failures++
			t.Errorf("request %d: %s %s %q: %d: %s", i, method, path, body, res.StatusCode, out)
		}
		// An empty path parameter routes to another operation (the list);
		// only replies to the route's own operation are checked.
		if method == rt.Method && !strings.Contains(path, "//") && !strings.HasSuffix(strings.SplitN(path, "?", 2)[0], "/") {
			if err := checkReply(req, reply{Status: res.StatusCode, Header: res.Header, Body: out}); err != nil {
				failures++
				t.Errorf("request %d: %s %s %q: %v\n%s", i, method, path, body, err, out)
			}
		}
		if failures > 20 {
			t.Fatalf("too many failures; seed %d", seed)
		}
	}
	t.Logf("HTTP fuzz: %d requests over %d routes (seed %d), statuses %v, failures %d", n, len(routes), seed, statuses, failures)
}

// clear4xx fails unless r is a 4xx of the contract's error shape with a
// code and a message.
func clear4xx(t *testing.T, what string, r reply) {
	t.Helper()
	if r.Status < 400 || r.Status > 499 {
		t.Fatalf("%s: status %d, want a 4xx: %.300s", what, r.Status, r.Body)
	}
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal(r.Body, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("%s: %d without a clear error body: %.300s", what, r.Status, r.Body)
	}
	t.Logf("%s: %d %s: %s", what, r.Status, e.Error.Code, e.Error.Message)
}

// TestClassicBadInputs: the classic list, each a clear 4xx.
func TestClassicBadInputs(t *testing.T) {
	s := apptest.Start(t, store.SQLite, now)
	f := newFixture(t, s, "classic")
	f.countMeter("calls", "api.call")
	cus := f.customer("acme", "USD")
	ev := func(ts string, props string) string {
		return `{"id":"e-` + strconv.Itoa(len(props)) + `","event_name":"api.call","customer":"acme","timestamp":"` + ts + `","properties":` + props + `}`
	}
	many := make([]string, 10000)
	for i := range many {
		many[i] = fmt.Sprintf(`"p%d":"%d"`, i, i)
	}
	big := bytes.Repeat([]byte(" "), 20<<20)
	copy(big, `{"events":[`)
	cases := []struct {
		name, method, path string
		body               []byte
		status             int // 0: any clear 4xx
	}{
		{"a 20 MB batch of events", "POST", "/v1/events/batch", big, 413},
		{"a 20 MB meter", "POST", "/v1/meters", big, 413},
		{"10,000-level nested JSON in properties", "POST", "/v1/events", []byte(ev("2026-03-09T10:00:00Z", strings.Repeat("[", 10000)+strings.Repeat("]", 10000))), 0},
		{"10,000-level nested JSON as a plan", "POST", "/v1/plans", []byte(strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000)), 0},
		{"1e400 as a grant amount", "POST", "/v1/customers/" + cus + "/credit_grants", []byte(`{"amount":1e400}`), 422},
		{"\"1e400\" as a grant amount", "POST", "/v1/customers/" + cus + "/credit_grants", []byte(`{"amount":"1e400"}`), 422},
		{"1e-400 as a grant amount", "POST", "/v1/customers/" + cus + "/credit_grants", []byte(`{"amount":"1e-400"}`), 422},
		{"1e400 as a price amount", "POST", "/v1/plans", []byte(`{"key":"big","currency":"USD","interval":"month","prices":[{"key":"base","type":"fixed","model":"flat","amount":1e400,"cadence":"advance"}]}`), 422},
		{"1e400 as a budget", "POST", "/v1/customers/" + cus + "/budgets", []byte(`{"amount":"1e400"}`), 0},
		{"1e400 as a property", "POST", "/v1/events", []byte(ev("2026-03-09T10:00:00Z", `{"n":1e400}`)), 422},
		{"invalid UTF-8 in a name", "POST", "/v1/customers", []byte("{\"external_id\":\"\xff\xfe\",\"currency\":\"USD\"}"), 0},
		{"invalid UTF-8 in a property", "POST", "/v1/events", []byte(ev("2026-03-09T10:00:00Z", "{\"n\":\"\xc3\x28\"}")), 0},
		{"10,000 properties", "POST", "/v1/events", []byte(ev("2026-03-09T10:00:00Z", "{"+strings.Join(many, ",")+"}")), 422},
		{"a 100 KB property", "POST", "/v1/events", []byte(ev("2026-03-09T10:00:00Z", `{"s":"`+strings.Repeat("x", 100<<10)+`"}`)), 422},
		{"a 1 MB customer name", "POST", "/v1/customers", []byte(`{"external_id":"big","currency":"USD","name":"` + strings.Repeat("n", 1<<20) + `"}`), 0},
		{"a 10,000-character event id", "POST", "/v1/events", []byte(`{"id":"` + strings.Repeat("i", 10000) + `","event_name":"api.call","customer":"acme"}`), 422},
		{"a batch of 1,001 events", "POST", "/v1/events/batch", []byte(`{"events":[` + strings.TrimSuffix(strings.Repeat(`{"id":"x","event_name":"api.call","customer":"acme"},`, 1001), ",") + `]}`), 0},
		{"NaN as a grant amount", "POST", "/v1/customers/" + cus + "/credit_grants", []byte(`{"amount":"NaN"}`), 422},
		{"Infinity as a grant amount", "POST", "/v1/customers/" + cus + "/credit_grants", []byte(`{"amount":"Infinity"}`), 422},
		{"a negative grant amount", "POST", "/v1/customers/" + cus + "/credit_grants", []byte(`{"amount":"-10"}`), 422},
		{"a page limit of 10^20", "GET", "/v1/customers?limit=99999999999999999999", nil, 422},
		{"a negative page limit", "GET", "/v1/customers?limit=-1", nil, 422},
		{"a forged cursor", "GET", "/v1/events?cursor=" + strings.Repeat("A", 5000), nil, 0},
		{"an event in year 10000", "POST", "/v1/events", []byte(ev("10000-01-01T00:00:00Z", `{}`)), 0},
		{"an event timestamp as a number", "POST", "/v1/events", []byte(`{"id":"n1","event_name":"api.call","customer":"acme","timestamp":1e400}`), 0},
		{"a JSON array instead of an object", "POST", "/v1/customers", []byte(`[{"external_id":"a","currency":"USD"}]`), 400},
		{"an empty body", "POST", "/v1/customers", []byte(``), 400},
		{"an event in year 0001", "POST", "/v1/events", []byte(ev("0001-01-01T00:00:00Z", `{}`)), 0},
		{"an event in year 9999", "POST", "/v1/events", []byte(ev("9999-12-31T23:59:59Z", `{}`)), 0},
		{"a subscription starting in year 0001", "POST", "/v1/subscriptions", []byte(`{"customer":"acme","plan":"none","start_at":"0001-01-01T00:00:00Z"}`), 0},
		{"an invoice run as of year 9999", "POST", "/v1/invoice_runs", []byte(`{"as_of":"9999-12-31T23:59:59Z","wait":true}`), 0},
		{"usage from year 0001 to 9999", "GET", "/v1/customers/" + cus + "/usage?meter=calls&from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59Z", nil, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			r, err := send(s, c.method, c.path, f.key, c.body)
			if err != nil {
				t.Fatalf("%v", err)
			}
			if c.status != 0 && r.Status != c.status {
				t.Fatalf("status %d, want %d: %.300s", r.Status, c.status, r.Body)
			}
			clear4xx(t, c.name, r)
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %s", d)
			}
		})
	}
}
