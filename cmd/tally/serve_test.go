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

// buildTally builds this command into a temp folder.
func buildTally(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "tally")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// startServer runs the tally binary with `serve` and returns its base URL;
// at cleanup it is stopped with SIGTERM (gracefully).
func startServer(t *testing.T, bin string, env ...string) string {
	t.Helper()
	cmd, url := launch(t, bin, env...)
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
	return url
}

// startKillable starts a server and returns its URL and a function that
// kills it with SIGKILL (also run at cleanup).
func startKillable(t *testing.T, bin string, env ...string) (string, func()) {
	t.Helper()
	cmd, url := launch(t, bin, env...)
	var once sync.Once
	kill := func() {
		once.Do(func() {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		})
	}
	t.Cleanup(kill)
	return url, kill
}

// launch starts `tally serve` on a free port and waits for its "tally
// listening" log line to learn the address.
func launch(t *testing.T, bin string, env ...string) (*exec.Cmd, string) {
	t.Helper()
	return launchArgs(t, bin, []string{"serve"}, env...)
}

// launchArgs is launch with the command line args instead of `serve`.
func launchArgs(t *testing.T, bin string, args []string, env ...string) (*exec.Cmd, string) {
	t.Helper()
	return launchLogged(t, bin, args, nil, env...)
}

// launchLogged is launchArgs that also copies every stderr line (the JSON
// log) to logs, when not nil.
func launchLogged(t *testing.T, bin string, args []string, logs io.Writer, env ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), append([]string{"TALLY_ADDR=127.0.0.1:0", "TALLY_SCHEDULER=off", "TALLY_LOG_LEVEL=info"}, env...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		for sc.Scan() {
			if logs != nil {
				_, _ = logs.Write(append(sc.Bytes(), '\n'))
			}
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
		return cmd, "http://" + a
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the server did not start")
	}
	return cmd, ""
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
	bin := buildTally(t)
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

// TestARunKilledWithItsServerIsFinishedByTheNextServer kills a server
// process (SIGKILL, no shutdown) while its invoice run works, then runs
// again on a new process: every period has exactly one invoice.
func TestARunKilledWithItsServerIsFinishedByTheNextServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			url := storetest.URL(t, d)
			bin := buildTally(t)
			// Pages of one subscription (12 invoices each): a run of 60 is
			// then 60 transactions, and the kill lands between them.
			env := []string{"TALLY_DATABASE_URL=" + url, "TALLY_ROOT_KEY=root", "TALLY_RUN_PAGE_SIZE=1"}
			first, kill := startKillable(t, bin, env...)
			_, tenant := call(t, "POST", first+"/v1/tenants", "root", `{"name":"killed"}`)
			key, _ := tenant["api_key"].(string)
			call(t, "POST", first+"/v1/plans", key, `{"key":"p","currency":"USD","interval":"month","prices":[{"key":"base","type":"fixed","model":"flat","amount":"5","cadence":"arrear"}]}`)
			const subs = 60
			for i := 0; i < subs; i++ {
				call(t, "POST", first+"/v1/customers", key, fmt.Sprintf(`{"external_id":"c%d","currency":"USD"}`, i))
				call(t, "POST", first+"/v1/subscriptions", key, fmt.Sprintf(`{"customer":"c%d","plan":"p","start_at":"2025-01-01T00:00:00Z"}`, i))
			}
			go func() { // dies with its server; its answer does not matter
				req, _ := http.NewRequest("POST", first+"/v1/invoice_runs", strings.NewReader(`{"as_of":"2026-01-01T00:00:00Z","wait":true}`))
				req.Header.Set("Authorization", "Bearer "+key)
				if res, err := http.DefaultClient.Do(req); err == nil {
					res.Body.Close()
				}
			}()
			// Kill as soon as the run has drafted something.
			deadline := time.Now().Add(20 * time.Second)
			for time.Now().Before(deadline) {
				if _, page := call(t, "GET", first+"/v1/invoices?limit=1", key, ""); page != nil && len(page["data"].([]any)) > 0 {
					break
				}
				time.Sleep(2 * time.Millisecond)
			}
			kill()
			second := startServer(t, bin, env...)
			st, run := call(t, "POST", second+"/v1/invoice_runs", key, `{"as_of":"2026-01-01T00:00:00Z","wait":true}`)
			if st != 201 || run["status"] != "completed" {
				t.Fatalf("the second run: %d %v", st, run)
			}
			created, existing := run["invoices_created"].(float64), run["invoices_existing"].(float64)
			t.Logf("after the kill the next run created %v and found %v", created, existing)
			if created == 0 || existing == 0 {
				t.Errorf("the kill did not land mid-run (created %v, existing %v)", created, existing)
			}
			if created+existing != subs*12 {
				t.Errorf("created %v + existing %v, want %d periods", created, existing, subs*12)
			}
			seen := map[string]bool{}
			cursor := ""
			for {
				_, page := call(t, "GET", second+"/v1/invoices?limit=500"+cursor, key, "")
				for _, x := range page["data"].([]any) {
					inv := x.(map[string]any)
					k := fmt.Sprint(inv["subscription_id"], inv["period_start"])
					if seen[k] {
						t.Errorf("two invoices for %s", k)
					}
					seen[k] = true
				}
				next, _ := page["next_cursor"].(string)
				if next == "" {
					break
				}
				cursor = "&cursor=" + next
			}
			if len(seen) != subs*12 {
				t.Errorf("%d invoices, want %d", len(seen), subs*12)
			}
		})
	}
}
