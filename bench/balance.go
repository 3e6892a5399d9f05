package bench

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// maxOutstanding is how many balance requests may wait at once.
const maxOutstanding = 8

var errStopped = errors.New("bench: stopped")

// pacer hands out evenly spaced start times: at most one per every.
type pacer struct {
	mu    sync.Mutex
	next  time.Time
	every time.Duration
}

func (p *pacer) wait(ctx context.Context) error {
	p.mu.Lock()
	now := time.Now()
	at := p.next
	if at.Before(now) {
		at = now
	}
	p.next = at.Add(p.every)
	p.mu.Unlock()
	select {
	case <-time.After(time.Until(at)):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// balanceBench measures the live credit balance of a customer with a
// grant and o.Events events at o.Rate requests a second (open loop: a
// slow reply does not delay the next request) for o.Duration, while the
// same customer's events are ingested at half the peak rate measured just
// before on this server.
func balanceBench(ctx context.Context, h *harness, o Options, r *Report) error {
	sc, err := h.subscribedCustomer(ctx, "bench balance", "c0")
	if err != nil {
		return err
	}
	t, cust, sub, from, to := sc.tenant, sc.customer, sc.sub, sc.from, sc.to
	if err := h.do(ctx, "POST", "/v1/customers/"+cust+"/credit_grants", t.Admin, map[string]string{"amount": "1000000.00"}, 201, nil); err != nil {
		return err
	}
	var total atomic.Int64
	prior := events{prefix: "b", customers: []string{"c0"}, at: spread(from, to, o.Events)}
	var s sent
	if err := h.send(ctx, t.Ingest, prior, 0, o.Events, o.Clients, nil, &s); err != nil {
		return err
	}
	total.Add(s.accepted.Load())
	// The peak: as fast as the clients go.
	peakN := max(o.Events/2, 4*batchSize)
	live := events{prefix: "l", customers: []string{"c0"}, at: func(int) time.Time { return time.Now().Add(-time.Second) }}
	var ps sent
	t0 := time.Now()
	if err := h.send(ctx, t.Ingest, live, 0, peakN, o.Clients, nil, &ps); err != nil {
		return err
	}
	peak := perSecond(peakN, time.Since(t0))
	total.Add(ps.accepted.Load())
	half := peak / 2
	o.logf("balance: peak ingest %.0f events/s; ingesting at %.0f while %d balance requests/s run for %s", peak, half, o.Rate, o.Duration)

	// Stopping never cancels a request in flight (it might be stored yet
	// not counted): the pacer just hands out no more turns.
	var stop atomic.Bool
	p := &pacer{every: time.Duration(float64(time.Second) * batchSize / half)}
	pace := func(ctx context.Context) error {
		if err := p.wait(ctx); err != nil {
			return err
		}
		if stop.Load() {
			return errStopped
		}
		return nil
	}
	var hs sent
	ingestDone := make(chan error, 1)
	ingestStart := time.Now()
	go func() { ingestDone <- h.send(ctx, t.Ingest, live, peakN, 1<<40, o.Clients, pace, &hs) }()

	var mu sync.Mutex
	var ds []time.Duration
	var failures, dropped atomic.Int64
	var wg sync.WaitGroup
	// At most maxOutstanding requests wait at once; a tick finding them all
	// busy is dropped (and counted), so an overloaded server shows as a
	// lower achieved rate instead of an ever longer queue.
	slots := make(chan struct{}, maxOutstanding)
	path := "/v1/customers/" + cust + "/credit_balance"
	tick := time.NewTicker(time.Duration(float64(time.Second) / float64(o.Rate)))
	end := time.After(o.Duration)
	began := time.Now()
loop:
	for {
		select {
		case <-tick.C:
			select {
			case slots <- struct{}{}:
			default:
				dropped.Add(1)
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-slots }()
				t0 := time.Now()
				if err := h.do(ctx, "GET", path, t.Admin, nil, 200, nil); err != nil {
					failures.Add(1)
					return
				}
				d := time.Since(t0)
				mu.Lock()
				ds = append(ds, d)
				mu.Unlock()
			}()
		case <-end:
			break loop
		case <-ctx.Done():
			break loop
		}
	}
	tick.Stop()
	wg.Wait()
	window := time.Since(began)
	stop.Store(true)
	if err := <-ingestDone; err != nil {
		return err
	}
	ingestTook := time.Since(ingestStart)
	total.Add(hs.accepted.Load())

	r.check("every balance request answered 200", failures.Load() == 0, "%d of %d failed", failures.Load(), int64(len(ds))+failures.Load())
	var inv invoice
	if err := h.do(ctx, "GET", "/v1/subscriptions/"+sub+"/proposed_invoice", t.Admin, nil, 200, &inv); err != nil {
		return err
	}
	q, err := inv.quantity("calls")
	if err != nil {
		return err
	}
	r.check("the proposed invoice counts every accepted event", q == strconv.FormatInt(total.Load(), 10),
		"calls quantity %s, accepted %d (duplicates %d)", q, total.Load(), hs.duplicates.Load()+ps.duplicates.Load()+s.duplicates.Load())
	rate := float64(len(ds)) / window.Seconds()
	r.figure("peak ingest (one customer)", peak, "events/s", "", true, fmt.Sprintf("%d events, %d clients", peakN, o.Clients))
	r.figure("ingest during the balance load", perSecond(int(hs.accepted.Load()), ingestTook), "events/s", "≈ half the peak", true, "paced")
	r.figure("balance requests", rate, "requests/s", fmt.Sprintf("%d/s", o.Rate), rate >= 0.95*float64(o.Rate), fmt.Sprintf("%d in %.1f s, %d ticks dropped (%d outstanding)", len(ds), window.Seconds(), dropped.Load(), maxOutstanding))
	p50, p99 := quantile(ds, 0.5), quantile(ds, 0.99)
	r.figure("credit balance p50", p50, "ms", "", true, "")
	r.figure("credit balance p99", p99, "ms", "≤ 5 ms", p99 <= 5, "")
	return nil
}
