package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
)

// startServer runs the tally binary with `serve` and returns its base URL.
func startServer(t *testing.T, bin string, env ...string) string {
	t.Helper()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), append([]string{"TALLY_ADDR=127.0.0.1:0", "TALLY_SCHEDULER=off", "TALLY_LOG_LEVEL=info"}, env...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var line struct {
				Msg  string `json:"msg"`
				Addr string `json:"addr"`
			}
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "tally listening" {
				addr <- line.Addr
			}
		}
	}()
	select {
	case a := <-addr:
		return "http://" + a
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not start")
	}
	return ""
}

func call(t *testing.T, method, url, key, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return 0, nil
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return res.StatusCode, m
}

// TestTwoServerProcessesOnOnePostgresDraftEachInvoiceOnce starts two
// `tally serve` processes on one database and fires invoice runs at both at
// the same instant.
func TestTwoServerProcessesOnOnePostgresDraftEachInvoiceOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	url := storetest.URL(t, store.Postgres)
	bin := filepath.Join(t.TempDir(), "tally")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	env := []string{"TALLY_DATABASE_URL=" + url, "TALLY_ROOT_KEY=root"}
	a := startServer(t, bin, env...)
	b := startServer(t, bin, env...)
	_, tenant := call(t, "POST", a+"/v1/tenants", "root", `{"name":"two processes"}`)
	key, _ := tenant["api_key"].(string)
	call(t, "POST", a+"/v1/plans", key, `{"key":"p","currency":"USD","interval":"month","prices":[{"key":"base","type":"fixed","model":"flat","amount":"5","cadence":"arrear"}]}`)
	for i := 0; i < 15; i++ {
		call(t, "POST", b+"/v1/customers", key, fmt.Sprintf(`{"external_id":"c%d","currency":"USD"}`, i))
		if st, m := call(t, "POST", a+"/v1/subscriptions", key, fmt.Sprintf(`{"customer":"c%d","plan":"p","start_at":"2026-01-01T00:00:00Z"}`, i)); st != 201 {
			t.Fatalf("subscribe: %d %v", st, m)
		}
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, base := range []string{a, b, a, b} {
		wg.Add(1)
		go func(base string) {
			defer wg.Done()
			<-start
			if st, m := call(t, "POST", base+"/v1/invoice_runs", key, `{"as_of":"2026-05-01T00:00:00Z","wait":true}`); st != 201 {
				t.Errorf("run on %s: %d %v", base, st, m)
			}
		}(base)
	}
	close(start)
	wg.Wait()
	_, list := call(t, "GET", b+"/v1/invoices?limit=500", key, "")
	data, _ := list["data"].([]any)
	seen := map[string]bool{}
	for _, x := range data {
		inv := x.(map[string]any)
		k := fmt.Sprint(inv["subscription_id"], inv["billing_reason"], inv["period_start"])
		if seen[k] {
			t.Errorf("two invoices for %s", k)
		}
		seen[k] = true
	}
	if len(data) != 15*4 {
		t.Errorf("%d invoices, want 60 (15 subscriptions × January–April)", len(data))
	}
}
