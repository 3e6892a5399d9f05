package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// shared is the binary the crash and fault tests share, built once (each
// build takes seconds on a loaded machine); TestMain removes it.
var shared struct {
	once     sync.Once
	dir, bin string
	err      error
	out      []byte
}

// sharedTally builds this command once for every test that asks.
func sharedTally(t *testing.T) string {
	t.Helper()
	shared.once.Do(func() {
		if shared.dir, shared.err = os.MkdirTemp("", "tally-bin-"); shared.err != nil {
			return
		}
		shared.bin = filepath.Join(shared.dir, "tally")
		shared.out, shared.err = exec.Command("go", "build", "-o", shared.bin, ".").CombinedOutput()
	})
	if shared.err != nil {
		t.Fatalf("build: %v\n%s", shared.err, shared.out)
	}
	return shared.bin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.dir != "" {
		_ = os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

// crashProc is a `tally serve` process on one database that a crash test
// kills with SIGKILL (no shutdown, no flush) and starts again, as often as
// it likes. Each start listens on a new free port; clients ask url() for
// the current one. The JSON log of every start is kept in logs.
type crashProc struct {
	t     *testing.T
	bin   string
	env   []string
	mu    sync.Mutex
	cmd   *exec.Cmd
	base  string
	kills int
	down  time.Duration // time from kills to listening again, in all
	logs  syncBuffer
}

// newCrashProc starts the first process; it is killed at cleanup.
func newCrashProc(t *testing.T, bin string, env ...string) *crashProc {
	t.Helper()
	p := &crashProc{t: t, bin: bin, env: env}
	p.start()
	t.Cleanup(func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.cmd != nil {
			_ = p.cmd.Process.Kill()
			_ = p.cmd.Wait()
		}
	})
	return p
}

func (p *crashProc) start() {
	p.t.Helper()
	cmd, base := launchLogged(p.t, p.bin, []string{"serve"}, &p.logs, p.env...)
	p.mu.Lock()
	p.cmd, p.base = cmd, base
	p.mu.Unlock()
}

// url is where the current process listens ("" between a kill and the
// next start).
func (p *crashProc) url() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.base
}

// killAndRestart sends SIGKILL, waits for the process to be gone and
// starts a new one on the same database.
func (p *crashProc) killAndRestart() {
	p.t.Helper()
	p.mu.Lock()
	killed := time.Now()
	_ = p.cmd.Process.Kill()
	_ = p.cmd.Wait()
	p.cmd, p.base = nil, ""
	p.kills++
	p.mu.Unlock()
	p.start()
	p.mu.Lock()
	p.down += time.Since(killed)
	p.mu.Unlock()
}

// meanRestart is how long the server was down per kill, on average.
func (p *crashProc) meanRestart() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.kills == 0 {
		return 0
	}
	return (p.down / time.Duration(p.kills)).Round(time.Millisecond)
}

// syncBuffer is a bytes.Buffer safe for one writer per process and readers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// crashClient is an HTTP client of a crashProc: a request that meets a dead
// server fails fast (connection refused or reset), as a real client sees.
var crashClient = &http.Client{Timeout: 30 * time.Second}

// send makes one request to the current process; err is a transport error
// (the server died, or is between processes).
func (p *crashProc) send(method, path, key, body string) (int, []byte, error) {
	return p.sendWith(crashClient, method, path, key, body)
}

// sendWith is send with another client (one with a short timeout plays an
// impatient client that gives up and resends).
func (p *crashProc) sendWith(client *http.Client, method, path, key, body string) (int, []byte, error) {
	base := p.url()
	if base == "" {
		return 0, nil, fmt.Errorf("no server")
	}
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, b, err
}

// must sends a request, retrying transport errors and 5xx for up to 30 s
// (the test may be restarting the server), and fails the test unless the
// reply has the wanted status. It decodes the reply into out (if not nil).
func (p *crashProc) must(want int, method, path, key, body string, out any) {
	p.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		st, b, err := p.send(method, path, key, body)
		if err == nil && st < 500 {
			if st != want {
				p.t.Fatalf("%s %s: %d, want %d: %.400s", method, path, st, want, b)
			}
			if out != nil {
				if err := json.Unmarshal(b, out); err != nil {
					p.t.Fatalf("%s %s: %v: %.200s", method, path, err, b)
				}
			}
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s %s: still failing after 30 s: %d %v %.200s", method, path, st, err, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// crashTenant creates a tenant with the root key "root" and returns its
// admin key.
func crashTenant(t *testing.T, p *crashProc, name string) string {
	t.Helper()
	var out struct {
		APIKey string `json:"api_key"`
	}
	p.must(201, "POST", "/v1/tenants", "root", fmt.Sprintf(`{"name":%q}`, name), &out)
	if out.APIKey == "" {
		t.Fatal("no api_key in the tenant reply")
	}
	return out.APIKey
}

// invoiceKey identifies an invoice's period: one non-void invoice is due
// per key.
type invoiceJSON struct {
	ID             string `json:"id"`
	SubscriptionID string `json:"subscription_id"`
	BillingReason  string `json:"billing_reason"`
	PeriodStart    string `json:"period_start"`
	Status         string `json:"status"`
	Total          string `json:"total"`
	Lines          []struct {
		Amount string `json:"amount"`
	} `json:"lines"`
}

// allInvoices pages through GET /v1/invoices.
func allInvoices(t *testing.T, p *crashProc, key string) []invoiceJSON {
	t.Helper()
	var all []invoiceJSON
	cursor := ""
	for {
		var page struct {
			Data       []invoiceJSON `json:"data"`
			NextCursor *string       `json:"next_cursor"`
		}
		p.must(200, "GET", "/v1/invoices?limit=100"+cursor, key, "", &page)
		all = append(all, page.Data...)
		if page.NextCursor == nil || *page.NextCursor == "" {
			return all
		}
		cursor = "&cursor=" + *page.NextCursor
	}
}

// onePerPeriod checks that every (subscription, billing reason, period
// start) has exactly one non-void invoice and returns how many periods
// there are.
func onePerPeriod(t *testing.T, invoices []invoiceJSON) int {
	t.Helper()
	seen := map[string]string{}
	for _, inv := range invoices {
		if inv.Status == "void" {
			continue
		}
		k := inv.SubscriptionID + " " + inv.BillingReason + " " + inv.PeriodStart
		if other, ok := seen[k]; ok {
			t.Errorf("two non-void invoices for %s: %s and %s", k, other, inv.ID)
		}
		seen[k] = inv.ID
	}
	return len(seen)
}
