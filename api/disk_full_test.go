package api_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/app"
	"github.com/tallyhq/tally/app/apptest"
	"github.com/tallyhq/tally/store"
)

// diskFull is one way to run out of space under a SQLite database: fill
// makes the next writes fail, free gives the space back.
type diskFull struct {
	name string
	// setup returns the database URL and the fill and free functions, or
	// a reason to skip.
	setup func(t *testing.T) (url string, fill, free func(s *apptest.Server), skip string)
}

var diskFulls = []diskFull{
	{"SQLite's max_page_count is reached", func(t *testing.T) (string, func(*apptest.Server), func(*apptest.Server), string) {
		url := "sqlite://" + filepath.Join(t.TempDir(), "tally.db")
		fill := func(s *apptest.Server) {
			// The server has one SQLite connection: the pragma applies to it.
			var pages int64
			s.App.DB.Gorm.Raw("PRAGMA page_count").Scan(&pages)
			s.App.DB.Gorm.Exec(fmt.Sprintf("PRAGMA max_page_count = %d", pages+200))
		}
		free := func(s *apptest.Server) { s.App.DB.Gorm.Exec("PRAGMA max_page_count = 1073741823") }
		return url, fill, free, ""
	}},
	{"a tmpfs holding the database runs out of space", func(t *testing.T) (string, func(*apptest.Server), func(*apptest.Server), string) {
		if os.Getuid() != 0 {
			return "", nil, nil, "mounting a tmpfs needs root"
		}
		dir := t.TempDir()
		if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", dir).CombinedOutput(); err != nil {
			return "", nil, nil, fmt.Sprintf("mount -t tmpfs failed (%v: %s)", err, strings.TrimSpace(string(out)))
		}
		t.Cleanup(func() { _ = exec.Command("umount", "-l", dir).Run() })
		filler := filepath.Join(dir, "filler")
		fill := func(s *apptest.Server) {
			// Take all the space but about 1 MiB: dd stops at ENOSPC.
			_ = exec.Command("dd", "if=/dev/zero", "of="+filler, "bs=64k").Run()
			_ = os.Truncate(filler, fileSize(filler)-1<<20)
		}
		free := func(*apptest.Server) { _ = os.Remove(filler) }
		return "sqlite://" + filepath.Join(dir, "tally.db"), fill, free, ""
	}},
}

func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}

// TestADiskFullIsAClear507AndCorruptsNothing fills the space under a
// SQLite database while batches of events are ingested: each write that
// does not fit answers 507 storage_full with Retry-After (documented on
// every route), never a 500 and never a partial batch; reads keep
// answering; the database passes PRAGMA integrity_check; and once space
// is freed the same process accepts the refused batches again, every
// event counted once.
func TestADiskFullIsAClear507AndCorruptsNothing(t *testing.T) {
	for _, df := range diskFulls {
		t.Run(df.name, func(t *testing.T) {
			url, fill, free, skip := df.setup(t)
			if skip != "" {
				t.Skip(skip)
			}
			s := apptest.StartWith(t, store.SQLite, now, func(c *app.Config) { c.DatabaseURL = url })
			f := newFixture(t, s, "full")
			f.countMeter("calls", "api.call")
			cus := f.customer("acme", "USD")
			fill(s)
			pad := strings.Repeat("x", 2000)
			batch := func(n int) obj {
				var events list
				for i := 0; i < 50; i++ {
					events = append(events, event(fmt.Sprintf("b%d-e%d", n, i), "api.call", "acme", now.Add(-minutes(n)), obj{"pad": pad}))
				}
				return obj{"events": events}
			}
			acked, full, n := 0, 0, 0
			var refused []int
			for ; n < 400 && full < 3; n++ {
				r := call(t, s, "POST", "/v1/events/batch", f.key, batch(n))
				switch r.Status {
				case 202:
					var res ingestResult
					r.Decode(t, &res)
					if res.Accepted != 50 {
						t.Fatalf("batch %d: %+v", n, res)
					}
					acked += 50
				case 507:
					full++
					refused = append(refused, n)
					wantError(t, r, 507, "storage_full")
					if r.Header.Get("Retry-After") == "" {
						t.Errorf("507 without Retry-After")
					}
				default:
					t.Fatalf("batch %d: %d %.300s, want 202 or 507", n, r.Status, r.Body)
				}
			}
			if full == 0 {
				t.Fatalf("%d batches stored without running out of space", n)
			}
			if r := call(t, s, "GET", "/v1/customers/"+cus+"/usage?meter=calls&from=2026-03-01T00:00:00Z&to=2026-03-11T00:00:00Z", f.key, nil); r.Status != 200 {
				t.Errorf("a read while full: %d %.200s", r.Status, r.Body)
			}
			var check string
			s.App.DB.Gorm.Raw("PRAGMA integrity_check").Scan(&check)
			if check != "ok" {
				t.Errorf("integrity_check while full: %q", check)
			}
			if got := usageTotal(t, s, f.key, cus); got != acked {
				t.Errorf("while full the meter counts %d events, want the %d acknowledged (no partial batch)", got, acked)
			}
			free(s)
			for _, b := range refused {
				r := call(t, s, "POST", "/v1/events/batch", f.key, batch(b))
				if r.Status != 202 {
					t.Fatalf("batch %d after space returned: %d %.300s", b, r.Status, r.Body)
				}
				acked += 50
			}
			s.App.DB.Gorm.Raw("PRAGMA integrity_check").Scan(&check)
			got := usageTotal(t, s, f.key, cus)
			t.Logf("%d batches of 50 (2 KB properties): %d stored before the space ran out, %d refused with 507; integrity_check %s; after freeing space the refused ones were accepted: %d events counted, %d acknowledged",
				n, n-full, full, check, got, acked)
			if check != "ok" || got != acked {
				t.Errorf("after freeing space: integrity %q, counted %d, want %d", check, got, acked)
			}
		})
	}
}

// minutes is n minutes, spreading batches over the hours before now.
func minutes(n int) time.Duration { return time.Duration(n) * time.Minute }

func usageTotal(t *testing.T, s *apptest.Server, key, cus string) int {
	t.Helper()
	var series struct {
		Data []struct {
			Value json.Number `json:"value"`
		} `json:"data"`
	}
	must(t, s, 200, "GET", "/v1/customers/"+cus+"/usage?meter=calls&from=2026-03-01T00:00:00Z&to=2026-03-11T00:00:00Z", key, nil).Decode(t, &series)
	total := 0
	for _, p := range series.Data {
		n, _ := p.Value.Int64()
		total += int(n)
	}
	return total
}
