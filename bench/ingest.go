package bench

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/tallyhq/tally/store"
)

// ingestBench sends o.Events events of o.Customers customers through
// POST /v1/events/batch from o.Clients clients, checks that each was
// stored exactly once, and measures the COPY baselines of the same rows.
func ingestBench(ctx context.Context, h *harness, o Options, r *Report) error {
	custs := customerIDs(o.Customers)
	sc, err := h.subscribedCustomer(ctx, "bench ingest", custs[0])
	if err != nil {
		return err
	}
	t, sub, from, to := sc.tenant, sc.sub, sc.from, sc.to
	e := events{prefix: "i", customers: custs, at: spread(from, to, o.Events)}
	o.logf("ingest: sending %d events of %d customers from %d clients", o.Events, o.Customers, o.Clients)
	var s sent
	t0 := time.Now()
	if err := h.send(ctx, t.Ingest, e, 0, o.Events, o.Clients, nil, &s); err != nil {
		return err
	}
	took := time.Since(t0)
	rate := perSecond(o.Events, took)

	stored, err := storedEvents(ctx, h.db, t.ID)
	if err != nil {
		return err
	}
	r.check("every event accepted once", s.accepted.Load() == int64(o.Events) && s.duplicates.Load() == 0 && s.rejected.Load() == 0,
		"sent %d, accepted %d, duplicates %d, rejected %d", o.Events, s.accepted.Load(), s.duplicates.Load(), s.rejected.Load())
	r.check("stored == sent", stored == int64(o.Events), "stored %d of %d sent", stored, o.Events)
	var again sent
	resend := min(batchSize, o.Events)
	if err := h.send(ctx, t.Ingest, e, 0, resend, 1, nil, &again); err != nil {
		return err
	}
	after, err := storedEvents(ctx, h.db, t.ID)
	if err != nil {
		return err
	}
	r.check("a resent batch is all duplicates", again.duplicates.Load() == int64(resend) && again.accepted.Load() == 0 && after == stored,
		"resent %d: %d duplicates, %d accepted, stored %d → %d", resend, again.duplicates.Load(), again.accepted.Load(), stored, after)
	var inv invoice
	if err := h.do(ctx, "GET", "/v1/subscriptions/"+sub+"/proposed_invoice", t.Admin, nil, 200, &inv); err != nil {
		return err
	}
	q, err := inv.quantity("calls")
	if err != nil {
		return err
	}
	want := (o.Events + o.Customers - 1) / o.Customers // events i with i mod customers == 0
	r.check("the proposed invoice counts every event of its customer", q == strconv.Itoa(want),
		"calls quantity %s, sent %d to %s", q, want, custs[0])

	r.figure("HTTP batch ingest", rate, "events/s", "", true, fmt.Sprintf("%d events in %.1f s", o.Events, took.Seconds()))
	if h.db.Dialect != store.Postgres {
		r.figure("COPY baselines", 0, "", "", true, "Postgres only (SQLite has no COPY); ratios not measured")
		return nil
	}
	o.logf("ingest: COPY baselines of the same %d rows", o.Events)
	shaped, err := copyBaseline(ctx, h.db.URL, t.ID, e, o.Events, true)
	if err != nil {
		return err
	}
	bare, err := copyBaseline(ctx, h.db.URL, t.ID, e, o.Events, false)
	if err != nil {
		return err
	}
	r.figure("COPY into a table shaped like events", shaped, "events/s", "", true, "pgx CopyFrom, one connection, same rows")
	r.figure("COPY into a bare keyed table", bare, "events/s", "", true, "same columns, primary key only")
	r.figure("ingest / shaped COPY", rate/shaped, "×", "≥ 0.5×", rate/shaped >= 0.5, "")
	r.figure("ingest / bare COPY", rate/bare, "×", "", true, "")
	return nil
}
