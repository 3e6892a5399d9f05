package bench

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/tallyhq/tally/store"
)

// runJSON is the part of an invoice run reply the bench reads.
type runJSON struct {
	ID              string `json:"id"`
	Status          string `json:"status"`
	Subscriptions   int    `json:"subscriptions"`
	Processed       int    `json:"processed"`
	InvoicesCreated int    `json:"invoices_created"`
	Failed          []any  `json:"failed"`
}

// heapPeak samples the process's Go heap in use until stopped and
// returns the highest value seen, in MiB.
func heapPeak() (stop func() float64) {
	var mu sync.Mutex
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	sample := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		mu.Lock()
		peak = max(peak, m.HeapInuse)
		mu.Unlock()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				sample()
			}
		}
	}()
	return func() float64 {
		close(done)
		wg.Wait()
		sample()
		return float64(peak) / (1 << 20)
	}
}

// invoiceCount counts the tenant's stored invoices.
func invoiceCount(ctx context.Context, h *harness, tenantID string) (int64, error) {
	var n int64
	err := h.db.Gorm.WithContext(ctx).Raw("SELECT count(*) FROM invoices WHERE tenant_id = ?", tenantID).Scan(&n).Error
	return n, err
}

// analyze refreshes Postgres's planner statistics after the bulk load
// (what autovacuum does within a minute or so of a load; a run started
// before it would plan its page reads for tables it still takes to be
// empty). SQLite plans by its indexes alone: nothing to do.
func (h *harness) analyze(ctx context.Context) error {
	if h.db.Dialect != store.Postgres {
		return nil
	}
	return h.db.Gorm.WithContext(ctx).Exec("ANALYZE").Error
}

// periodStart is the start of a monthly subscription whose first period
// has ended by now: the first of the previous month, 00:00 UTC.
func periodStart(now time.Time) time.Time {
	now = now.UTC()
	return time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, time.UTC)
}

// currentWindow is where the benches put the events of a current period:
// [the first of this month 00:00 UTC (the start of the subscriptions),
// a second before now).
func currentWindow(now time.Time) (from, to time.Time) {
	now = now.UTC()
	from = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	to = now.Add(-time.Second)
	if !to.After(from) {
		to = now
	}
	return from, to
}

// runBench times, for each size of o.Sizes, an invoice run of a fresh
// tenant with that many monthly subscriptions whose first period has
// ended (the first 1,000 customers with usage), polling the run until it
// finishes, and samples the heap of this process meanwhile.
func runBench(ctx context.Context, h *harness, o Options, r *Report) error {
	type point struct {
		size int
		took time.Duration
	}
	var points []point
	for _, size := range o.Sizes {
		t, err := h.newTenant(ctx, fmt.Sprintf("bench run %d", size))
		if err != nil {
			return err
		}
		if err := h.catalog(ctx, t); err != nil {
			return err
		}
		start := periodStart(time.Now())
		custs := customerIDs(size)
		o.logf("run: creating %d customers and subscriptions (%d at once)", size, o.Clients)
		t0 := time.Now()
		if err := h.subscribeAll(ctx, t, custs, start, o.Clients); err != nil {
			return err
		}
		used := custs[:min(size, 1000)]
		e := events{prefix: "r", customers: used, at: spread(start, start.AddDate(0, 0, 27), 5*len(used))}
		var s sent
		if err := h.send(ctx, t.Ingest, e, 0, 5*len(used), o.Clients, nil, &s); err != nil {
			return err
		}
		if err := h.analyze(ctx); err != nil {
			return err
		}
		o.logf("run: set up in %.1f s; running", time.Since(t0).Seconds())
		before, err := invoiceCount(ctx, h, t.ID) // subscribing drafted some (advance fees)
		if err != nil {
			return err
		}
		runtime.GC()
		stop := func() float64 { return 0 }
		if h.app != nil {
			stop = heapPeak()
		}
		t0 = time.Now()
		var run runJSON
		if err := h.do(ctx, "POST", "/v1/invoice_runs", t.Admin, map[string]bool{"wait": false}, 202, &run); err != nil {
			return err
		}
		for run.Status == "running" {
			time.Sleep(50 * time.Millisecond)
			if err := h.do(ctx, "GET", "/v1/invoice_runs/"+run.ID, t.Admin, nil, 200, &run); err != nil {
				return err
			}
		}
		took := time.Since(t0)
		heap := stop()
		points = append(points, point{size, took})
		after, err := invoiceCount(ctx, h, t.ID)
		if err != nil {
			return err
		}
		stored := after - before
		r.check(fmt.Sprintf("run of %d: every subscription invoiced", size),
			run.Status == "completed" && run.Subscriptions == size && run.Processed == size && len(run.Failed) == 0 && run.InvoicesCreated >= size && int64(run.InvoicesCreated) == stored,
			"status %s, %d subscriptions, %d processed, %d invoices created (%d more stored), %d failed",
			run.Status, run.Subscriptions, run.Processed, run.InvoicesCreated, stored, len(run.Failed))
		rate := perSecond(run.InvoicesCreated, took)
		target, met := "", true
		if size >= 100_000 {
			target, met = "≥ 2,000 invoices/s", rate >= 2000
		}
		r.figure(fmt.Sprintf("invoice run, %d subscriptions", size), rate, "invoices/s", target, met, fmt.Sprintf("%d invoices in %.1f s", run.InvoicesCreated, took.Seconds()))
		if h.app != nil {
			r.figure(fmt.Sprintf("peak Go heap in use during the run of %d", size), heap, "MiB", "< 256 MiB", heap < 256, "whole process: server and bench")
		}
	}
	if len(points) > 1 {
		a, b := points[0], points[len(points)-1]
		g := (b.took.Seconds() / float64(b.size)) / (a.took.Seconds() / float64(a.size))
		r.figure(fmt.Sprintf("time per subscription, %d vs %d", b.size, a.size), g, "×", "≈ 1× (linear)", g <= 1.25, "")
	}
	return nil
}
