package invoicing

import (
	"context"
	"time"

	"github.com/tallyhq/tally/customers"
	"gorm.io/gorm"
)

// RunWorkers is how many subscriptions a long read of the catalog (the
// advisor's backtest) works on at once on Postgres. Invoice runs no longer
// draft one subscription at a time: a page is composed in memory and
// written in one transaction (draftPage, writePage).
const RunWorkers = 4

// subResult is what drafting one subscription came to.
type subResult struct {
	sub               string
	created, existing int
	err               error
}

// page is one page of a run's subscriptions, its drafts composed in memory
// (draftPage) and then written (writePage).
type page struct {
	tenantID string
	custs    []string    // the page's customers, each once
	drafts   [][]Invoice // per subscription, in drafting order
	out      []subResult // per subscription
	// err is why the page could not be listed or read: the run fails.
	err error
}

// draftPage composes the drafts of one page of a run: it reads what the
// page needs in a few set-based queries (the page's invoices, its meters,
// then every quantity its drafts need: see pageUsage) and composes every
// missing invoice in memory, exactly as drafting one subscription at a time
// would (a subscription that fails to compose keeps, as there, the drafts
// composed before its failure, and its failure).
func (s *Service) draftPage(ctx context.Context, scs []customers.Context, asOf time.Time, runID string) *page {
	p := &page{out: make([]subResult, len(scs)), drafts: make([][]Invoice, len(scs))}
	if len(scs) == 0 {
		return p
	}
	p.tenantID = scs[0].Subscription.TenantID
	ids := make([]string, len(scs))
	seen := map[string]bool{}
	for i, sc := range scs {
		ids[i] = sc.Subscription.ID
		p.out[i].sub = sc.Subscription.ID
		if c := sc.Subscription.CustomerID; !seen[c] {
			seen[c] = true
			p.custs = append(p.custs, c)
		}
	}
	fail := func(err error) *page {
		for i := range p.out {
			p.out[i].err = err
		}
		return p
	}
	have, err := s.existingOf(ctx, p.tenantID, ids)
	if err != nil {
		return fail(err)
	}
	usage, err := newPageUsage(ctx, s.usage, p.tenantID, scs)
	if err != nil {
		return fail(err)
	}
	discard := func(context.Context, Invoice) (bool, error) { return true, nil }
	for _, sc := range scs {
		// Recording what the drafts ask; a failure here shows again below.
		_, _, _ = s.invoiceWith(ctx, usage, sc, have[sc.Subscription.ID], asOf, runID, discard)
	}
	if err := usage.fetch(ctx); err != nil {
		return fail(err)
	}
	for i, sc := range scs {
		collect := func(_ context.Context, inv Invoice) (bool, error) {
			p.drafts[i] = append(p.drafts[i], inv)
			return true, nil
		}
		_, existing, err := s.invoiceWith(ctx, usage, sc, have[sc.Subscription.ID], asOf, runID, collect)
		p.out[i].existing, p.out[i].err = existing, err
	}
	return p
}

// writePage stores a drafted page in one transaction (invoices, lines and
// invoice.created events in multi-row inserts): the page is stored whole
// or not at all, so a crash leaves no half-written page and the next run
// drafts it again. A slot another run took meanwhile counts as existing.
// If the transaction fails, the drafts are written one subscription at a
// time, so that a subscription whose invoices cannot be stored fails
// alone. It returns the page's results.
func (s *Service) writePage(ctx context.Context, p *page) []subResult {
	var all []Invoice
	for _, d := range p.drafts {
		all = append(all, d...)
	}
	var made map[string]bool
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		made, err = s.insertManyTx(tx, all)
		return err
	})
	if err == nil {
		for _, inv := range all {
			made[inv.ID] = made[inv.ID] // false: its slot was taken
		}
	} else {
		made = s.insertEach(ctx, p.drafts, p.out)
	}
	for i := range p.drafts {
		for _, inv := range p.drafts[i] {
			if stored, tried := made[inv.ID]; stored {
				p.out[i].created++
			} else if tried {
				p.out[i].existing++
			}
		}
	}
	for _, c := range p.custs {
		s.changed(p.tenantID, c)
	}
	return p.out
}

// insertEach stores each subscription's drafts in transactions of their
// own (insert), stopping a subscription at its first failure, which it
// records in out; it returns, for each invoice tried, whether it was
// stored (false: its slot was taken).
func (s *Service) insertEach(ctx context.Context, drafts [][]Invoice, out []subResult) map[string]bool {
	made := map[string]bool{}
	for i, invs := range drafts {
		for _, inv := range invs {
			ok, err := s.insert(ctx, inv)
			if err != nil {
				out[i].err = err
				break
			}
			made[inv.ID] = ok
		}
	}
	return made
}
