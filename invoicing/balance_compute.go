package invoicing

import (
	"context"
	"github.com/tallyhq/tally/store"
	"sort"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/credits"
	"github.com/tallyhq/tally/customers"
)

// CreditBalance is the customer's credit balance at at (zero: now), per
// unit (pricing.md, "Credits"): granted − drawn by finalized invoices −
// what its drafts (as stored, in the order they close) and then the open
// periods' proposed invoices at at (usage up to at, read from rollups, and
// the next advance fees) would draw, in draw order; 0 once expired or
// voided. Everything but the usage is read once for all open periods (a
// balanceFrame). A live answer (at zero) may come from the per-customer
// cache, and a live computation reuses the customer's cached frame, so
// that after an ingestion only the usage is read again (BalanceCache
// documents why neither is ever stale). The result must not be modified.
func (s *Service) CreditBalance(ctx context.Context, tenantID, customerID string, at time.Time) ([]credits.UnitBalance, error) {
	ctx = store.PrimaryOnly(ctx) // a balance is cached and alerted on: never from a lagging replica
	if !at.IsZero() && !at.Equal(s.clock.Now(ctx)) {
		units, _, err := s.creditBalance(ctx, tenantID, customerID, at)
		return units, err
	}
	b, err := s.LiveCreditBalance(ctx, tenantID, customerID)
	return b.Units, err
}

// creditBalance computes the balance at at from a frame read now, and the
// first instant after at when time alone could change it (see
// BalanceCache).
func (s *Service) creditBalance(ctx context.Context, tenantID, customerID string, at time.Time) ([]credits.UnitBalance, time.Time, error) {
	f, err := s.loadFrame(ctx, tenantID, customerID)
	if err != nil {
		return nil, time.Time{}, err
	}
	return s.balanceOf(ctx, f, at)
}

// balanceOf computes the balance at at from a frame, reading only usage,
// and the first instant after at when time alone could change it: the
// next 15-minute UTC boundary, a grant's expiry, a subscription's start,
// trial end or end.
func (s *Service) balanceOf(ctx context.Context, f *balanceFrame, at time.Time) ([]credits.UnitBalance, time.Time, error) {
	until := at.Truncate(15 * time.Minute).Add(15 * time.Minute)
	bound := func(t *time.Time) {
		if t != nil && t.After(at) && t.Before(until) {
			until = *t
		}
	}
	if len(f.grants) == 0 {
		return []credits.UnitBalance{}, until, nil
	}
	for _, g := range f.grants {
		bound(g.ExpiresAt)
	}
	grants := append([]credits.Grant(nil), f.grants...)
	pending := map[string]decimal.Decimal{}
	for _, d := range f.drafts {
		simulate(grants, pending, d)
	}
	// Periods that have ended by at but that no invoice run has drafted yet
	// draw like drafts: the balance is what the next invoices will say,
	// whenever the run happens.
	due, err := s.undrafted(ctx, f, at)
	if err != nil {
		return nil, time.Time{}, err
	}
	for _, d := range due {
		simulate(grants, pending, d)
	}
	open, err := s.openPeriods(ctx, f, at, bound)
	if err != nil {
		return nil, time.Time{}, err
	}
	for _, p := range open {
		simulate(grants, pending, p)
	}
	return credits.Summarize(f.grants, pending, at), until, nil
}

// openPeriods is the proposed invoice at at, without credit, of every
// subscription of the frame active or in trial then, in the order they
// close; bound is given each subscription's start, trial end and end.
func (s *Service) openPeriods(ctx context.Context, f *balanceFrame, at time.Time, bound func(*time.Time)) ([]Invoice, error) {
	var out []Invoice
	for _, fs := range f.subs {
		sub := fs.c.sc.Subscription
		start := sub.StartAt
		bound(&start)
		bound(sub.TrialEnd)
		bound(sub.EndsAt)
		if st := sub.StatusAt(at); st != customers.Active && st != customers.Trialing {
			continue
		}
		inv, err := s.proposedBare(ctx, fs.c, at)
		if err != nil {
			return nil, err
		}
		out = append(out, inv)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Period.End.Before(out[j].Period.End) })
	return out, nil
}

// undrafted computes, without storing them, the invoices an invoice run as
// of at would draft for the frame's subscriptions, in the order they
// close.
func (s *Service) undrafted(ctx context.Context, f *balanceFrame, at time.Time) ([]Invoice, error) {
	var out []Invoice
	collect := func(_ context.Context, inv Invoice) (bool, error) {
		out = append(out, inv)
		return true, nil
	}
	for _, fs := range f.subs {
		if _, _, err := s.invoiceComposed(ctx, fs.c, fs.have, at, "", collect); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Period.End.Before(out[j].Period.End) })
	return out, nil
}
