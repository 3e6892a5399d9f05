package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally/store/storetest"
)

// startStripeMock runs stripe-mock (installed by .ci/install) on a free
// port and returns its base URL. Without the binary the test is skipped,
// or fails when CI=true.
func startStripeMock(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("stripe-mock")
	if err != nil {
		if out, gerr := exec.Command("go", "env", "GOPATH").Output(); gerr == nil {
			bin = filepath.Join(strings.Split(strings.TrimSpace(string(out)), string(os.PathListSeparator))[0], "bin", "stripe-mock")
		}
		if _, serr := os.Stat(bin); serr != nil {
			msg := "stripe-mock is not installed (not on PATH nor in $(go env GOPATH)/bin); run .ci/install"
			if storetest.InCI() {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var out bytes.Buffer
	cmd := exec.Command(bin, "-http-addr", addr)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return "http://" + addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("stripe-mock did not listen on %s within 15 s: %s", addr, out.String())
		}
	}
}

// stripeState sits in front of stripe-mock, which checks every request
// against Stripe's OpenAPI description but keeps no state (it answers the
// same canned objects to everyone). stripeState adds what a crash test
// needs from the real Stripe: a POST repeated with an Idempotency-Key it has
// seen gets the first answer again and changes nothing (as Stripe's
// idempotency does); customers, invoices and invoice items get ids of their
// own and are remembered, so lists, reads, updates, deletes and
// finalization act on them. A request stripe-mock refuses is passed on and
// counted in refused.
type stripeState struct {
	mock                    string
	delay                   time.Duration
	mu                      sync.Mutex
	seq                     int
	cache                   map[string]stripeReply // by idempotency key
	inflight                map[string]bool
	inv                     map[string]*stripeObj // by Stripe id
	items                   map[string]*stripeObj
	order                   []string // invoice ids in creation order
	calls, replays, refused int
	lost                    int // requests done whose caller was gone before the answer
	refusals                []string
}

type stripeReply struct {
	status int
	body   []byte
}

// stripeObj is an invoice or invoice item as Stripe holds it: the JSON
// object stripe-mock answered with, made this object's own.
type stripeObj struct {
	obj     map[string]any
	deleted bool
}

func (o *stripeObj) str(k string) string { s, _ := o.obj[k].(string); return s }

func (o *stripeObj) meta(k string) string {
	m, _ := o.obj["metadata"].(map[string]any)
	s, _ := m[k].(string)
	return s
}

func newStripeState(t *testing.T, mock string, delay time.Duration) (*stripeState, string) {
	s := &stripeState{mock: mock, delay: delay, cache: map[string]stripeReply{}, inflight: map[string]bool{}, inv: map[string]*stripeObj{}, items: map[string]*stripeObj{}}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	return s, srv.URL
}

func (s *stripeState) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	time.Sleep(s.delay)
	form, _ := url.ParseQuery(string(body))
	if r.Method == http.MethodGet {
		form = r.URL.Query()
	}
	key := r.Header.Get("Idempotency-Key")
	s.mu.Lock()
	s.calls++
	keyed := key != "" && r.Method == http.MethodPost
	if c, ok := s.cache[key]; ok && keyed {
		s.replays++
		s.mu.Unlock()
		w.Header().Set("Idempotent-Replayed", "true")
		w.WriteHeader(c.status)
		_, _ = w.Write(c.body)
		return
	}
	if keyed && s.inflight[key] { // as Stripe: a key in use by a request still running
		s.mu.Unlock()
		w.WriteHeader(http.StatusConflict)
		_, _ = w.Write([]byte(`{"error":{"type":"invalid_request_error","code":"idempotency_key_in_use","message":"in use"}}`))
		return
	}
	if keyed {
		s.inflight[key] = true
	}
	s.mu.Unlock()
	status, answer := s.forward(r, body)
	s.mu.Lock()
	defer s.mu.Unlock()
	if status != http.StatusOK {
		s.refused++
		s.refusals = append(s.refusals, fmt.Sprintf("%s %s: %d %.200s", r.Method, r.URL.Path, status, answer))
	} else {
		status, answer = s.apply(r.Method, r.URL.Path, form, answer)
	}
	if keyed {
		s.cache[key] = stripeReply{status, answer}
		delete(s.inflight, key)
	}
	if r.Context().Err() != nil { // the caller died while Stripe worked: its answer is lost
		s.lost++
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(answer)
}

func (s *stripeState) forward(r *http.Request, body []byte) (int, []byte) {
	req, _ := http.NewRequest(r.Method, s.mock+r.URL.RequestURI(), bytes.NewReader(body))
	req.Header = r.Header.Clone()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return http.StatusBadGateway, []byte(fmt.Sprintf(`{"error":{"message":%q}}`, err.Error()))
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// apply makes stripe-mock's canned answer this request's own, updating the
// state. Called with s.mu held.
func (s *stripeState) apply(method, path string, form url.Values, answer []byte) (int, []byte) {
	var obj map[string]any
	_ = json.Unmarshal(answer, &obj)
	parts := strings.Split(strings.Trim(path, "/"), "/") // v1, kind, id, action
	kind, id, action := parts[1], "", ""
	if len(parts) > 2 {
		id = parts[2]
	}
	if len(parts) > 3 {
		action = parts[3]
	}
	newID := func(prefix string) string { s.seq++; return fmt.Sprintf("%s_crash%06d", prefix, s.seq) }
	switch {
	case kind == "customers" && method == "POST" && id == "":
		obj["id"], obj["metadata"] = newID("cus"), metadataOf(form)
	case kind == "invoices" && method == "POST" && id == "":
		obj["id"], obj["metadata"], obj["customer"], obj["status"] = newID("in"), metadataOf(form), form.Get("customer"), "draft"
		s.inv[obj["id"].(string)] = &stripeObj{obj: obj}
		s.order = append(s.order, obj["id"].(string))
	case kind == "invoices" && id == "" && method == "GET":
		var data []any
		for _, iid := range s.order {
			if o := s.inv[iid]; o.str("customer") == form.Get("customer") && !o.deleted {
				data = append(data, o.obj)
			}
		}
		return listOf(path, data)
	case kind == "invoices":
		o := s.inv[id]
		if o == nil || o.deleted {
			return missing(id)
		}
		switch {
		case method == "POST" && action == "finalize":
			o.obj["status"] = "open"
		case method == "DELETE":
			o.deleted = true
		case method == "POST" && action != "":
			o.obj["status"] = map[string]string{"void": "void", "pay": "paid", "mark_uncollectible": "uncollectible"}[action]
		}
		return marshal(o.obj)
	case kind == "invoiceitems" && method == "POST" && id == "":
		amount, _ := strconv.ParseInt(form.Get("amount"), 10, 64)
		obj["id"], obj["invoice"], obj["amount"], obj["description"], obj["metadata"] = newID("ii"), form.Get("invoice"), amount, form.Get("description"), metadataOf(form)
		s.items[obj["id"].(string)] = &stripeObj{obj: obj}
	case kind == "invoiceitems" && id == "" && method == "GET":
		var data []any
		for _, o := range s.items {
			if o.str("invoice") == form.Get("invoice") && !o.deleted {
				data = append(data, o.obj)
			}
		}
		return listOf(path, data)
	case kind == "invoiceitems":
		o := s.items[id]
		if o == nil || o.deleted {
			return missing(id)
		}
		switch method {
		case "POST":
			if v := form.Get("amount"); v != "" {
				o.obj["amount"], _ = strconv.ParseInt(v, 10, 64)
			}
			if v := form.Get("description"); v != "" {
				o.obj["description"] = v
			}
			if md := metadataOf(form); len(md) > 0 {
				o.obj["metadata"] = md
			}
		case "DELETE":
			o.deleted = true
			return marshal(map[string]any{"id": id, "object": "invoiceitem", "deleted": true})
		}
		return marshal(o.obj)
	}
	return marshal(obj)
}

func metadataOf(form url.Values) map[string]any {
	md := map[string]any{}
	for k, v := range form {
		if strings.HasPrefix(k, "metadata[") && strings.HasSuffix(k, "]") {
			md[k[len("metadata["):len(k)-1]] = v[0]
		}
	}
	return md
}

func listOf(path string, data []any) (int, []byte) {
	if data == nil {
		data = []any{}
	}
	return marshal(map[string]any{"object": "list", "data": data, "has_more": false, "url": path})
}

func missing(id string) (int, []byte) {
	b, _ := json.Marshal(map[string]any{"error": map[string]any{"type": "invalid_request_error", "code": "resource_missing", "message": "No such object: " + id}})
	return http.StatusNotFound, b
}

func marshal(v any) (int, []byte) {
	b, _ := json.Marshal(v)
	return http.StatusOK, b
}

// stripeInvoice is what Stripe holds for one Tally invoice.
type stripeInvoice struct {
	id, status string
	amounts    map[int]int64 // live items by tally_line_position
	items      int
}

// byTallyInvoice returns, per Tally invoice id, the Stripe invoices whose
// metadata names it, with their live items.
func (s *stripeState) byTallyInvoice() map[string][]stripeInvoice {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string][]stripeInvoice{}
	for _, iid := range s.order {
		o := s.inv[iid]
		if o.deleted {
			continue
		}
		si := stripeInvoice{id: iid, status: o.str("status"), amounts: map[int]int64{}}
		for _, it := range s.items {
			if it.str("invoice") == iid && !it.deleted {
				pos, _ := strconv.Atoi(it.meta("tally_line_position"))
				amt, _ := it.obj["amount"].(int64)
				if f, ok := it.obj["amount"].(float64); ok {
					amt = int64(f)
				}
				si.amounts[pos] = amt
				si.items++
			}
		}
		out[o.meta("tally_invoice_id")] = append(out[o.meta("tally_invoice_id")], si)
	}
	return out
}
