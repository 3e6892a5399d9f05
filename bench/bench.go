package bench

import (
	"context"
	"fmt"
	"time"
)

// Run runs the named bench (one of Benches) with o (Defaults applied) on
// a server of its own, and returns its report. An exactness check that
// fails is in the report and makes the error non-nil; a figure that
// misses its target is only reported.
func Run(ctx context.Context, name string, o Options) (Report, error) {
	fns := map[string]func(context.Context, *harness, Options, *Report) error{
		"ingest": ingestBench, "preview": previewBench, "balance": balanceBench, "run": runBench,
	}
	fn, ok := fns[name]
	if !ok {
		return Report{}, fmt.Errorf("bench: unknown bench %q (one of %v)", name, Benches)
	}
	o = o.Defaults(name)
	h, err := start(ctx, o)
	if err != nil {
		return Report{}, err
	}
	defer h.close()
	r := Report{Bench: name, Store: string(h.db.Dialect), Short: o.Short, Params: paramsOf(name, o), Started: time.Now().UTC()}
	err = fn(ctx, h, o, &r)
	r.Seconds = time.Since(r.Started).Seconds()
	if err != nil {
		return r, fmt.Errorf("bench %s: %w", name, err)
	}
	if f := r.Failed(); len(f) > 0 {
		return r, fmt.Errorf("bench %s: %d exactness check(s) failed, first: %s: %s", name, len(f), f[0].Name, f[0].Detail)
	}
	return r, nil
}

// paramsOf are the options the bench used, for its report.
func paramsOf(name string, o Options) map[string]any {
	p := map[string]any{"clients": o.Clients}
	switch name {
	case "ingest":
		p["customers"], p["events"] = o.Customers, o.Events
	case "preview":
		p["customers"], p["sizes"], p["requests"] = o.Customers, o.Sizes, o.Requests
	case "balance":
		p["events"], p["rate"], p["duration"] = o.Events, o.Rate, o.Duration.String()
	case "run":
		p["sizes"] = o.Sizes
	}
	if o.URL != "" {
		p["url"] = o.URL
	}
	return p
}
