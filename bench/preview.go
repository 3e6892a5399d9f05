package bench

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"
)

// goldenSpread places event i at the fractional part of i·φ across
// [from, to): every prefix of the stream covers the window evenly, so the
// events loaded for a smaller size look like those of a larger one.
func goldenSpread(from, to time.Time) func(int) time.Time {
	span := float64(to.Sub(from))
	return func(i int) time.Time {
		_, f := math.Modf(float64(i) * 0.6180339887498949)
		return from.Add(time.Duration(f * span))
	}
}

// previewBench loads events in steps (o.Sizes, shared by o.Customers
// customers) and, after each, times o.Requests proposed invoices of the
// first customer's subscription, one at a time.
func previewBench(ctx context.Context, h *harness, o Options, r *Report) error {
	custs := customerIDs(o.Customers)
	sc, err := h.subscribedCustomer(ctx, "bench preview", custs[0])
	if err != nil {
		return err
	}
	t, sub, from, to := sc.tenant, sc.sub, sc.from, sc.to
	e := events{prefix: "p", customers: custs, at: goldenSpread(from, to)}
	loaded := 0
	var p99s []float64
	for _, size := range o.Sizes {
		if size <= loaded {
			return fmt.Errorf("preview: sizes must grow (%v)", o.Sizes)
		}
		o.logf("preview: loading events %d..%d over HTTP (%d clients)", loaded, size, o.Clients)
		var s sent
		t0 := time.Now()
		if err := h.send(ctx, t.Ingest, e, loaded, size, o.Clients, nil, &s); err != nil {
			return err
		}
		r.check(fmt.Sprintf("loaded %d events", size), s.accepted.Load() == int64(size-loaded),
			"accepted %d of %d sent in %.1f s", s.accepted.Load(), size-loaded, time.Since(t0).Seconds())
		loaded = size
		// As after the run bench's bulk load: planner statistics as
		// autovacuum leaves them shortly after, not as the empty tables had
		// them, for the timings to be of the tables the load made.
		if err := h.analyze(ctx); err != nil {
			return err
		}
		path := "/v1/subscriptions/" + sub + "/proposed_invoice"
		var inv invoice
		for i := 0; i < 5; i++ { // warm the connection and the caches the server keeps
			if err := h.do(ctx, "GET", path, t.Admin, nil, 200, &inv); err != nil {
				return err
			}
		}
		q, err := inv.quantity("calls")
		if err != nil {
			return err
		}
		want := (size + o.Customers - 1) / o.Customers
		r.check(fmt.Sprintf("preview at %d counts its customer's events", size), q == strconv.Itoa(want), "calls quantity %s, want %d", q, want)
		ds := make([]time.Duration, 0, o.Requests)
		for i := 0; i < o.Requests; i++ {
			t0 := time.Now()
			if err := h.do(ctx, "GET", path, t.Admin, nil, 200, nil); err != nil {
				return err
			}
			ds = append(ds, time.Since(t0))
		}
		p50, p99 := quantile(ds, 0.5), quantile(ds, 0.99)
		p99s = append(p99s, p99)
		label := fmt.Sprintf("proposed invoice at %d events, %d customers", size, o.Customers)
		r.figure(label+": p50", p50, "ms", "", true, fmt.Sprintf("%d requests, one at a time", o.Requests))
		r.figure(label+": p99", p99, "ms", "≤ 10 ms", p99 <= 10, fmt.Sprintf("%d events of this customer", want))
	}
	if len(p99s) > 1 {
		g := p99s[len(p99s)-1] / p99s[0]
		r.figure(fmt.Sprintf("p99 growth %d → %d events", o.Sizes[0], o.Sizes[len(o.Sizes)-1]), g, "×", "≤ 1.3×", g <= 1.3, "")
	}
	return nil
}
