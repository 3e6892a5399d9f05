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
// written in one transaction (invoicePage).
const RunWorkers = 4

// subResult is what drafting one subscription came to.
type subResult struct {
	sub               string
	created, existing int
	err               error
}

// invoicePage drafts the subscriptions of one page of a run and says, per
// subscription, what it created, what already existed and why it failed.
// It reads what the page needs in a few set-based queries (the page's
// invoices, its meters, then every quantity its drafts need: see
// pageUsage), composes every draft in memory, and writes them all in one
// transaction (invoices, lines and invoice.created events in multi-row
// inserts): the page is stored whole or not at all, so a crash leaves no
// half-written page and the next run drafts it again. The invoices are
// those drafting one subscription at a time would store, and a
// subscription that fails to compose keeps, as there, the drafts composed
// before its failure. If the page's transaction fails, its drafts are
// written one subscription at a time, so that a subscription whose invoices
// cannot be stored fails alone.
func (s *Service) invoicePage(ctx context.Context, scs []customers.Context, asOf time.Time, runID string) []subResult {
	out := make([]subResult, len(scs))
	if len(scs) == 0 {
		return out
	}
	tenantID := scs[0].Subscription.TenantID
	ids := make([]string, len(scs))
	for i, sc := range scs {
		ids[i] = sc.Subscription.ID
		out[i].sub = sc.Subscription.ID
	}
	fail := func(err error) []subResult {
		for i := range out {
			out[i].err = err
		}
		return out
	}
	have, err := s.existingOf(ctx, tenantID, ids)
	if err != nil {
		return fail(err)
	}
	usage, err := newPageUsage(ctx, s.usage, tenantID, scs)
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
	drafts := make([][]Invoice, len(scs))
	var all []Invoice
	for i, sc := range scs {
		collect := func(_ context.Context, inv Invoice) (bool, error) {
			drafts[i] = append(drafts[i], inv)
			return true, nil
		}
		_, existing, err := s.invoiceWith(ctx, usage, sc, have[sc.Subscription.ID], asOf, runID, collect)
		out[i].existing, out[i].err = existing, err
		all = append(all, drafts[i]...)
	}
	var made map[string]bool
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		made, err = s.insertManyTx(tx, all)
		return err
	})
	if err == nil {
		for _, inv := range all {
			made[inv.ID] = made[inv.ID] // false: its slot was taken
		}
	} else {
		made = s.insertEach(ctx, drafts, out)
	}
	for i := range scs {
		for _, inv := range drafts[i] {
			if stored, tried := made[inv.ID]; stored {
				out[i].created++
			} else if tried {
				out[i].existing++
			}
		}
	}
	seen := map[string]bool{}
	for _, sc := range scs {
		if c := sc.Subscription.CustomerID; !seen[c] {
			seen[c] = true
			s.changed(tenantID, c)
		}
	}
	return out
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
