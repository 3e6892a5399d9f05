package stripesync

import (
	"context"

	"github.com/tallyhq/tally/invoicing"
)

// Sync brings an invoice's Stripe copy up to date: its customer, a draft
// invoice with one item per line, and, once the invoice is finalized in
// Tally, the Stripe invoice finalized too. Zero-total invoices never sent
// before, and paid, void or uncollectible ones, are left alone. It returns
// the invoice as stored afterwards. Calling it again after a failure resumes
// without duplicating anything in Stripe.
func (s *Syncer) Sync(ctx context.Context, tenantID, invoiceID string) (invoicing.Invoice, error) {
	if !s.Enabled() {
		return invoicing.Invoice{}, disabled()
	}
	mu := s.lockFor(invoiceID)
	mu.Lock()
	defer mu.Unlock()
	// An invoice finalized while its draft was being synced is synced again
	// at once (a few times at most; SyncPending catches the rest).
	for round := 0; ; round++ {
		inv, err := s.inv.Get(ctx, tenantID, invoiceID)
		if err != nil {
			return invoicing.Invoice{}, err
		}
		if err := s.sync(ctx, inv); err != nil {
			return inv, err
		}
		after, err := s.inv.Get(ctx, tenantID, invoiceID)
		if err != nil {
			return invoicing.Invoice{}, err
		}
		if after.Status == inv.Status || round == 2 {
			return after, nil
		}
	}
}

// sync does one pass over one invoice.
func (s *Syncer) sync(ctx context.Context, inv invoicing.Invoice) error {
	rec, err := s.record(ctx, inv.ID)
	if err != nil {
		return err
	}
	sent := inv.StripeInvoiceID != nil || (rec != nil && rec.StripeInvoiceID != nil)
	switch {
	case inv.Status != invoicing.Draft && inv.Status != invoicing.Finalized:
		// Paid, void or uncollectible: Stripe's copy (if any) follows.
		return s.settle(ctx, inv, rec)
	case inv.Total.IsZero() && !sent:
		// Recorded in Tally, never sent to Stripe. (One already sent is
		// kept in step instead: its items follow the lines and it is
		// finalized like any other, and Stripe marks it paid.)
		return s.setPending(ctx, rec, false)
	}
	if rec != nil && rec.FinalizedAt != nil {
		// Stripe's copy is final: only the bookkeeping may be left.
		return s.done(ctx, inv, *rec.StripeInvoiceID)
	}
	amounts, err := s.sendable(ctx, inv, rec)
	if err != nil {
		return err
	}
	c, err := s.cs.Get(ctx, inv.TenantID, inv.CustomerID)
	if err != nil {
		return err
	}
	cus, err := s.ensureCustomer(ctx, c)
	if err != nil {
		return err
	}
	sid, existed, err := s.ensureInvoice(ctx, inv, cus, rec)
	if err != nil {
		return err
	}
	if err := s.syncItems(ctx, inv, c, cus, sid, existed, amounts); err != nil {
		return err
	}
	if inv.Status == invoicing.Finalized {
		if err := s.finalize(ctx, inv, sid); err != nil {
			return err
		}
	}
	return s.done(ctx, inv, sid)
}
