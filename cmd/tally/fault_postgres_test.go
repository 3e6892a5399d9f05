package main

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/store/storetest"
)

// privatePostgres is a throwaway PostgreSQL cluster of the test's own
// (initdb into a temp folder, a port in 55432–55439), so that stopping it
// disturbs no other test. As root, the server runs as the user postgres.
type privatePostgres struct {
	t         *testing.T
	bin, data string
	port      int
}

// startPrivatePostgres starts the cluster. Without PostgreSQL's server
// binaries the test is skipped, or fails when CI=true.
func startPrivatePostgres(t *testing.T) *privatePostgres {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	sort.Strings(bins)
	if len(bins) == 0 {
		msg := "no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb); install the postgresql package"
		if storetest.InCI() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	dir, err := os.MkdirTemp("", "tally-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	pg := &privatePostgres{t: t, bin: filepath.Dir(bins[len(bins)-1]), data: filepath.Join(dir, "data")}
	if err := os.Mkdir(pg.data, 0o700); err != nil {
		t.Fatal(err)
	}
	if os.Getuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root needs the user postgres to run the server: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(pg.data, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	for port := 55432; port <= 55439; port++ {
		if ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			ln.Close()
			pg.port = port
			break
		}
	}
	if pg.port == 0 {
		t.Fatal("no free port in 55432–55439 for a private PostgreSQL")
	}
	pg.run("initdb", "-D", pg.data, "-A", "trust", "-U", "postgres", "--no-sync")
	pg.start()
	t.Cleanup(func() { _ = pg.cmd("pg_ctl", "-D", pg.data, "-m", "immediate", "stop").Run() })
	return pg
}

func (pg *privatePostgres) cmd(name string, args ...string) *exec.Cmd {
	path := filepath.Join(pg.bin, name)
	if os.Getuid() == 0 {
		return exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	}
	return exec.Command(path, args...)
}

func (pg *privatePostgres) run(name string, args ...string) {
	pg.t.Helper()
	if out, err := pg.cmd(name, args...).CombinedOutput(); err != nil {
		pg.t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

func (pg *privatePostgres) start() {
	pg.t.Helper()
	pg.run("pg_ctl", "-D", pg.data, "-w", "-l", filepath.Join(pg.data, "log"), "-o",
		fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", pg.port, pg.data), "start")
}

// crash stops the server at once, as a power cut would (no checkpoint).
func (pg *privatePostgres) crash() {
	pg.t.Helper()
	pg.run("pg_ctl", "-D", pg.data, "-m", "immediate", "-w", "stop")
}

func (pg *privatePostgres) url() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", pg.port)
}

// TestPostgresRestartedUnderLoad stops a private PostgreSQL (immediate
// mode, a crash) for three seconds while clients send events and watch
// /readyz, then starts it again. The same Tally process serves throughout:
// during the outage requests answer 503 "unavailable" with Retry-After and
// /readyz 503; no request answers any other 5xx; after the restart both
// recover without restarting Tally; and, every event resent until its 202
// (after a 503, or a 429 of the key's rate limit, which three clients of
// single events on a quiet machine exceed), the meter counts each exactly
// once.
func TestPostgresRestartedUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	t.Parallel()
	pg := startPrivatePostgres(t)
	bin := sharedTally(t)
	p := newCrashProc(t, bin, "TALLY_DATABASE_URL="+pg.url(), "TALLY_ROOT_KEY=root")
	key := crashTenant(t, p, "outage")
	p.must(201, "POST", "/v1/meters", key, `{"key":"calls","event_name":"api.call","aggregation":{"type":"count"}}`, nil)
	var cus struct{ ID string }
	p.must(201, "POST", "/v1/customers", key, `{"external_id":"acme","currency":"USD"}`, &cus)

	var stop atomic.Bool
	var mu sync.Mutex
	statuses := map[int]int{}
	readyz := map[int]int{}
	var unavailableBodies, sent, transport atomic.Int64
	var firstOK atomic.Int64 // unix nanos of the first 202 after the restart
	var restarted atomic.Int64
	var wg sync.WaitGroup
	const clients = 3
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				body := fmt.Sprintf(`{"id":"o-%d-%d","event_name":"api.call","customer":"acme"}`, c, i)
				for {
					st, reply, err := p.send("POST", "/v1/events", key, body)
					if err != nil {
						transport.Add(1)
						time.Sleep(20 * time.Millisecond)
						continue
					}
					mu.Lock()
					statuses[st]++
					mu.Unlock()
					if st == 429 { // the key's rate limit (TALLY_RATE_LIMIT): a client waits and resends
						time.Sleep(20 * time.Millisecond)
						continue
					}
					if st == 503 {
						var e struct{ Error struct{ Code string } }
						if json.Unmarshal(reply, &e) == nil && e.Error.Code == "unavailable" {
							unavailableBodies.Add(1)
						}
						time.Sleep(20 * time.Millisecond)
						continue // resend the same event
					}
					if st == 202 && restarted.Load() != 0 {
						firstOK.CompareAndSwap(0, time.Now().UnixNano())
					}
					break
				}
				sent.Add(1)
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			st, _, err := p.send("GET", "/readyz", "", "")
			if err == nil {
				mu.Lock()
				readyz[st]++
				mu.Unlock()
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	time.Sleep(time.Second)
	down := time.Now()
	pg.crash()
	time.Sleep(3 * time.Second)
	pg.start()
	restarted.Store(time.Now().UnixNano())
	time.Sleep(3 * time.Second)
	stop.Store(true)
	wg.Wait()

	var series struct {
		Data []struct {
			Value decimal.Decimal `json:"value"`
		} `json:"data"`
	}
	p.must(200, "GET", "/v1/customers/"+cus.ID+"/usage?meter=calls", key, "", &series)
	counted := decimal.Zero
	for _, pt := range series.Data {
		counted = counted.Add(pt.Value)
	}
	recovery := time.Duration(firstOK.Load() - restarted.Load())
	t.Logf("outage %s; events sent %d, counted %s; replies %v (503 with code unavailable: %d), transport errors %d; /readyz %v; first 202 %s after PostgreSQL was back; Tally process restarts: %d",
		time.Duration(restarted.Load()-down.UnixNano()).Round(10*time.Millisecond), sent.Load(), counted, statuses, unavailableBodies.Load(), transport.Load(), readyz, recovery.Round(time.Millisecond), p.kills)
	for st, n := range statuses {
		if st >= 500 && st != 503 {
			t.Errorf("%d replies with status %d during the outage; want only 503", n, st)
		}
	}
	if statuses[503] == 0 || unavailableBodies.Load() != int64(statuses[503]) {
		t.Errorf("%d 503 replies, %d of them with code unavailable: want some, all with the code", statuses[503], unavailableBodies.Load())
	}
	if readyz[503] == 0 || readyz[200] == 0 {
		t.Errorf("/readyz answered %v: want 503 during the outage and 200 around it", readyz)
	}
	if firstOK.Load() == 0 {
		t.Error("no event was accepted after PostgreSQL came back")
	}
	if !counted.Equal(decimal.NewFromInt(sent.Load())) {
		t.Errorf("the meter counts %s events, want the %d sent (each once)", counted, sent.Load())
	}
	if st, _, err := p.send("GET", "/readyz", "", ""); err != nil || st != 200 {
		t.Errorf("/readyz after the outage: %d %v", st, err)
	}
}
