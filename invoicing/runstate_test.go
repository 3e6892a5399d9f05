package invoicing_test

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tallyhq/tally/app/apptest"
	"github.com/tallyhq/tally/domain"
	"gorm.io/gorm"
)

// insertRun stores a run row as a server that died would have left it.
func insertRun(t *testing.T, s *apptest.Server, tenant, status string, heartbeat *time.Time, created time.Time) string {
	t.Helper()
	id := domain.NewID(domain.PrefixInvoiceRun)
	err := s.App.DB.Gorm.Exec(`INSERT INTO invoice_runs (id, tenant_id, as_of, status, subscriptions, processed, invoices_created,
		invoices_existing, failed, created_at, heartbeat_at) VALUES (?, ?, ?, ?, 200, 5, 7, 2, ?, ?, ?)`,
		id, tenant, ts("2026-06-01T00:00:00Z"), status, `[{"subscription_id":"sub_x","error":"boom"}]`, created, heartbeat).Error
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestStaleRunsAreAbandonedByTheNextRun checks that a run left running by a
// dead server (no heartbeat for StaleRunAfter) is marked abandoned by the
// tenant's next run, with what it had done, and that live runs and other
// tenants' runs are left alone.
func TestStaleRunsAreAbandonedByTheNextRun(t *testing.T) {
	apptest.Each(t, ts("2026-06-15T00:00:00Z"), func(t *testing.T, s *apptest.Server) {
		w := newWorld(t, s)
		w.subscribe("c1", "arrear", "2026-01-01T00:00:00Z", "")
		tenant := tenantOf(t, s, w.key)
		otherKey := s.NewTenant("other")
		other := tenantOf(t, s, otherKey)
		wall := time.Now().UTC()
		old, recent := wall.Add(-time.Hour), wall.Add(-time.Minute)

		stale := insertRun(t, s, tenant, "running", &old, wall.Add(-2*time.Hour))
		legacy := insertRun(t, s, tenant, "running", nil, wall.Add(-2*time.Hour))
		live := insertRun(t, s, tenant, "running", &recent, wall.Add(-2*time.Hour))
		done := insertRun(t, s, tenant, "completed", &old, wall.Add(-2*time.Hour))
		foreign := insertRun(t, s, other, "running", &old, wall.Add(-2*time.Hour))

		run := w.post(201, "/v1/invoice_runs", `{"as_of":"2026-06-01T00:00:00Z","wait":true}`)
		if run["status"] != "completed" || run["heartbeat_at"] == nil {
			t.Fatalf("the new run %v, want completed with a heartbeat", run)
		}
		for _, tc := range []struct {
			name, id, key, status string
		}{
			{"a running run without a heartbeat for an hour is abandoned", stale, w.key, "abandoned"},
			{"a running run from before heartbeats, created two hours ago, is abandoned", legacy, w.key, "abandoned"},
			{"a running run that beat a minute ago is left running", live, w.key, "running"},
			{"a completed run stays completed", done, w.key, "completed"},
			{"another tenant's stale run is not this run's business", foreign, otherKey, "running"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got := s.Must(200, "GET", "/v1/invoice_runs/"+tc.id, tc.key, nil).JSON()
				if got["status"] != tc.status {
					t.Fatalf("status %v, want %s", got["status"], tc.status)
				}
				if got["processed"].(float64) != 5 || got["invoices_created"].(float64) != 7 || got["invoices_existing"].(float64) != 2 {
					t.Errorf("counts %v, want what the run had saved (5 processed, 7 created, 2 existing)", got)
				}
				if f := got["failed"].([]any); len(f) != 1 || f[0].(map[string]any)["error"] != "boom" {
					t.Errorf("failures %v, want the one the run had saved", f)
				}
				if (tc.status == "abandoned") != (got["finished_at"] != nil) {
					t.Errorf("finished_at %v for a %s run", got["finished_at"], tc.status)
				}
			})
		}
	})
}

// outage makes the database fail on purpose: drafting invoices while
// drafts is set, and the next failRunSaves updates of invoice_runs.
type outage struct {
	drafts       atomic.Bool
	failRunSaves atomic.Int64
}

var errOutage = errors.New("database outage (injected)")

func injectOutage(t *testing.T, s *apptest.Server) *outage {
	t.Helper()
	o := &outage{}
	g := s.App.DB.Gorm
	if err := g.Callback().Row().Before("gorm:row").Register("test:outage_drafts", func(db *gorm.DB) {
		if o.drafts.Load() && strings.Contains(db.Statement.SQL.String(), "INSERT INTO invoices") {
			_ = db.AddError(errOutage)
		}
	}); err != nil {
		t.Fatal(err)
	}
	if err := g.Callback().Update().Before("gorm:update").Register("test:outage_runs", func(db *gorm.DB) {
		if db.Statement.Table == "invoice_runs" && o.failRunSaves.Add(-1) >= 0 {
			_ = db.AddError(errOutage)
		}
	}); err != nil {
		t.Fatal(err)
	}
	return o
}

// TestARunRecordsADatabaseOutage checks that failures during a database
// outage are on the run as stored: each subscription that could not be
// invoiced, saved through failing saves by retrying; and that a run that
// cannot save at all says failed and is abandoned by the next run once
// stale.
func TestARunRecordsADatabaseOutage(t *testing.T) {
	apptest.Each(t, ts("2026-06-15T00:00:00Z"), func(t *testing.T, s *apptest.Server) {
		w := newWorld(t, s)
		subs := map[string]bool{}
		for _, c := range []string{"c1", "c2", "c3"} {
			subs[w.subscribe(c, "arrear", "2026-01-01T00:00:00Z", "")] = true
		}
		o := injectOutage(t, s)

		o.drafts.Store(true)
		o.failRunSaves.Store(2) // the page's save fails twice, then works
		run := w.post(201, "/v1/invoice_runs", `{"as_of":"2026-06-01T00:00:00Z","wait":true}`)
		stored := w.get("/v1/invoice_runs/" + run["id"].(string))
		for name, r := range map[string]map[string]any{"answered": run, "stored": stored} {
			if r["status"] != "completed_with_failures" || r["processed"].(float64) != 3 || r["invoices_created"].(float64) != 0 {
				t.Errorf("%s run %v, want completed_with_failures, 3 processed, 0 created", name, r)
			}
			failed := r["failed"].([]any)
			if len(failed) != 3 {
				t.Fatalf("%s run failures %v, want one per subscription", name, failed)
			}
			for _, f := range failed {
				f := f.(map[string]any)
				if !subs[f["subscription_id"].(string)] || !strings.Contains(f["error"].(string), "outage") {
					t.Errorf("%s failure %v does not name a subscription and the outage", name, f)
				}
			}
		}

		o.drafts.Store(false)
		o.failRunSaves.Store(1 << 30) // no save works
		lost := w.post(201, "/v1/invoice_runs", `{"as_of":"2026-06-01T00:00:00Z","wait":true}`)
		if lost["status"] != "failed" || !strings.Contains(lost["failed"].([]any)[0].(map[string]any)["error"].(string), "could not save") {
			t.Errorf("a run that could not save answered %v, want failed saying it could not save", lost)
		}
		o.failRunSaves.Store(0)
		if got := w.get("/v1/invoice_runs/" + lost["id"].(string)); got["status"] != "running" {
			t.Fatalf("the unsaved run is stored as %v, want still running", got["status"])
		}
		// Its server is gone: an hour without a heartbeat.
		if err := s.App.DB.Gorm.Exec(`UPDATE invoice_runs SET heartbeat_at = ? WHERE id = ?`, time.Now().UTC().Add(-time.Hour), lost["id"]).Error; err != nil {
			t.Fatal(err)
		}
		next := w.post(201, "/v1/invoice_runs", `{"as_of":"2026-06-01T00:00:00Z","wait":true}`)
		if next["status"] != "completed" || next["invoices_created"].(float64) != 0 || next["invoices_existing"].(float64) != 15 || len(next["failed"].([]any)) != 0 {
			t.Errorf("the run after the outage %v, want completed with 15 existing (the lost run drafted them)", next)
		}
		if got := w.get("/v1/invoice_runs/" + lost["id"].(string)); got["status"] != "abandoned" {
			t.Errorf("the unsaved run is %v after the next run, want abandoned", got["status"])
		}
	})
}
