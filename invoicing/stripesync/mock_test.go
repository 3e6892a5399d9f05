package stripesync_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally/invoicing/stripesync"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
)

const installMock = "go install github.com/stripe/stripe-mock@latest (or run .ci/install)"

// stripeMockPath finds the stripe-mock binary on PATH or in $(go env
// GOPATH)/bin.
func stripeMockPath() string {
	if p, err := exec.LookPath("stripe-mock"); err == nil {
		return p
	}
	var dirs []string
	if out, err := exec.Command("go", "env", "GOBIN", "GOPATH").Output(); err == nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) > 0 && strings.TrimSpace(lines[0]) != "" {
			dirs = append(dirs, strings.TrimSpace(lines[0]))
		}
		if len(lines) > 1 {
			for _, p := range filepath.SplitList(strings.TrimSpace(lines[1])) {
				dirs = append(dirs, filepath.Join(p, "bin"))
			}
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, "go", "bin"))
	}
	for _, d := range dirs {
		p := filepath.Join(d, "stripe-mock")
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	return ""
}

// startStripeMock runs stripe-mock on a free port for the test, behind a
// proxy that records each request and its answer. Without the binary the
// test is skipped, or fails when CI=true.
func startStripeMock(t *testing.T) *mockRecorder {
	t.Helper()
	bin := stripeMockPath()
	if bin == "" {
		msg := "stripe-mock is not installed (not on PATH nor in $(go env GOPATH)/bin); install it with: " + installMock
		if storetest.InCI() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	var out bytes.Buffer
	cmd := exec.Command(bin, "-http-addr", fmt.Sprintf("127.0.0.1:%d", port))
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 200*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("stripe-mock did not listen on %d within 15s: %s", port, out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	target, _ := url.Parse(base)
	rec := &mockRecorder{}
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		if r.Method == http.MethodGet {
			form = r.URL.Query()
		}
		cw := &captureWriter{ResponseWriter: w, status: 200}
		proxy.ServeHTTP(cw, r)
		var answer map[string]any
		_ = json.Unmarshal(cw.body.Bytes(), &answer)
		rec.add(mockRequest{Op: opOf(r.Method, r.URL.Path), Key: r.Header.Get("Idempotency-Key"), Form: form, Status: cw.status, Answer: answer})
	}))
	t.Cleanup(srv.Close)
	rec.URL = srv.URL
	return rec
}

type captureWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (c *captureWriter) WriteHeader(s int) { c.status = s; c.ResponseWriter.WriteHeader(s) }
func (c *captureWriter) Write(b []byte) (int, error) {
	c.body.Write(b)
	return c.ResponseWriter.Write(b)
}

type mockRequest struct {
	Op     string
	Key    string
	Form   url.Values
	Status int
	Answer map[string]any
}

type mockRecorder struct {
	URL  string
	mu   sync.Mutex
	reqs []mockRequest
}

func (m *mockRecorder) add(r mockRequest) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reqs = append(m.reqs, r)
}

// take returns the requests recorded since the last take.
func (m *mockRecorder) take() []mockRequest {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := m.reqs
	m.reqs = nil
	return out
}

// TestAgainstStripeMock syncs invoices against stripe-mock, which checks
// every request against Stripe's OpenAPI description and answers canned
// objects: so the test asserts the requests made (all accepted), their
// idempotency keys and amounts, and that the ids Stripe answered are the
// ones Tally recorded.
func TestAgainstStripeMock(t *testing.T) {
	mock := startStripeMock(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		s := e.syncer(mock.URL, stripesync.Config{RequestTimeout: 10 * time.Second})
		mock.take()
		cases := []struct {
			name      string
			currency  string
			email     string
			lines     []line
			minor     []string
			finalized bool
		}{
			{"a USD draft is one customer, one invoice and one item per line, in cents", "USD", "ap@example.com",
				[]line{{"Base fee", "19.00"}, {"API calls", "50.00"}, {"Credit for unused time", "-2.50"}}, []string{"1900", "5000", "-250"}, false},
			{"a finalized JPY invoice is sent in whole yen and finalized", "JPY", "",
				[]line{{"Base fee", "1500"}, {"Seats", "300"}}, []string{"1500", "300"}, true},
		}
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				inv := e.invoice(e.customer(fmt.Sprintf("mock-%d", i), c.currency, c.email), c.lines...)
				if c.finalized {
					inv = e.finalize(inv)
				}
				got := mustSync(t, s, e, inv.ID)
				reqs := mock.take()
				var want []string
				if c.email != "" {
					want = append(want, "GET /v1/customers")
				}
				want = append(want, "POST /v1/customers", "POST /v1/invoices")
				for range c.lines {
					want = append(want, "POST /v1/invoiceitems")
				}
				if c.finalized {
					want = append(want, "POST /v1/invoices/{id}/finalize")
				}
				var gotOps []string
				for _, r := range reqs {
					gotOps = append(gotOps, r.Op)
					if r.Status != 200 {
						t.Errorf("stripe-mock refused %s (%d): %v", r.Op, r.Status, r.Answer)
					}
				}
				if strings.Join(gotOps, ",") != strings.Join(want, ",") {
					t.Fatalf("requests %v, want %v", gotOps, want)
				}
				cus, created := reqs[len(want)-len(c.lines)-2-b2i(c.finalized)], reqs[len(want)-len(c.lines)-1-b2i(c.finalized)]
				if cus.Key != "tally-cus-"+inv.CustomerID || cus.Form.Get("metadata[tally_customer_id]") != inv.CustomerID {
					t.Errorf("customer create key %q form %v", cus.Key, cus.Form)
				}
				sid, _ := created.Answer["id"].(string)
				if created.Key != "tally-inv-"+inv.ID || created.Form.Get("currency") != strings.ToLower(c.currency) ||
					created.Form.Get("pending_invoice_items_behavior") != "exclude" || created.Form.Get("auto_advance") != "false" ||
					created.Form.Get("customer") != cus.Answer["id"] || created.Form.Get("metadata[tally_invoice_id]") != inv.ID {
					t.Errorf("invoice create key %q form %v", created.Key, created.Form)
				}
				if got.StripeInvoiceID == nil || *got.StripeInvoiceID != sid || sid == "" {
					t.Errorf("Tally recorded stripe_invoice_id %v, stripe-mock answered %q", got.StripeInvoiceID, sid)
				}
				var itemIDs []string
				items := reqs[len(want)-len(c.lines)-b2i(c.finalized) : len(want)-b2i(c.finalized)]
				for k, r := range items {
					if r.Key != fmt.Sprintf("tally-ii-%s-%d", inv.ID, k) || r.Form.Get("amount") != c.minor[k] ||
						r.Form.Get("invoice") != sid || r.Form.Get("currency") != strings.ToLower(c.currency) ||
						!strings.HasPrefix(r.Form.Get("description"), c.lines[k].desc+" (") {
						t.Errorf("item %d: key %q form %v, want amount %s on %s", k, r.Key, r.Form, c.minor[k], sid)
					}
					id, _ := r.Answer["id"].(string)
					itemIDs = append(itemIDs, id)
				}
				var recorded []string
				if err := db.Gorm.Raw(`SELECT stripe_item_id FROM stripe_invoice_items WHERE invoice_id = ? ORDER BY position`, inv.ID).
					Scan(&recorded).Error; err != nil {
					t.Fatal(err)
				}
				if strings.Join(recorded, ",") != strings.Join(itemIDs, ",") {
					t.Errorf("recorded item ids %v, stripe-mock answered %v", recorded, itemIDs)
				}
				var cusID string
				if err := db.Gorm.Raw(`SELECT stripe_customer_id FROM stripe_customers WHERE customer_id = ?`, inv.CustomerID).
					Scan(&cusID).Error; err != nil || cusID != cus.Answer["id"] {
					t.Errorf("recorded stripe customer %q (%v), stripe-mock answered %v", cusID, err, cus.Answer["id"])
				}
				if c.finalized {
					fin := reqs[len(reqs)-1]
					if fin.Key != "tally-fin-"+inv.ID || fin.Form.Get("auto_advance") != "true" || !strings.Contains(fin.Op, "finalize") {
						t.Errorf("finalize key %q form %v", fin.Key, fin.Form)
					}
				}
				t.Run("syncing again sends no write", func(t *testing.T) {
					mustSync(t, s, e, inv.ID)
					for _, r := range mock.take() {
						if !strings.HasPrefix(r.Op, "GET ") {
							t.Errorf("a second sync sent %s", r.Op)
						}
					}
				})
			})
		}
	})
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
