package stripesync

import (
	"context"
	"errors"
	"fmt"

	"github.com/stripe/stripe-go/v76"
	"github.com/tallyhq/tally/invoicing"
)

// settle makes the Stripe copy of an invoice that Tally voided, marked paid
// or marked uncollectible follow it, so that Stripe never charges an
// invoice Tally voided:
//   - void: a Stripe draft is deleted, a finalized copy voided;
//   - paid: the finalized copy is paid out of band (paid outside Stripe);
//   - uncollectible: the finalized copy is marked uncollectible.
//
// Stripe answering 400 (its copy is already in that state, e.g. because a
// webhook told Tally) or 404 (a deleted draft) counts as settled. Each call
// has an idempotency key of its own.
func (s *Syncer) settle(ctx context.Context, inv invoicing.Invoice, rec *invoiceRow) error {
	if rec == nil || rec.StripeInvoiceID == nil || rec.SettledAt != nil {
		return s.setPending(ctx, rec, false)
	}
	sid := *rec.StripeInvoiceID
	var op string
	var fn func(actx context.Context) error
	switch {
	case inv.Status == invoicing.Void && rec.FinalizedAt == nil:
		op = "delete draft invoice"
		fn = func(actx context.Context) error {
			p := &stripe.InvoiceParams{}
			use(actx, &p.Params, "")
			_, err := s.api.Invoices.Del(sid, p)
			return err
		}
	case inv.Status == invoicing.Void:
		op = "void invoice"
		fn = func(actx context.Context) error {
			p := &stripe.InvoiceVoidInvoiceParams{}
			use(actx, &p.Params, "tally-void-"+inv.ID)
			_, err := s.api.Invoices.VoidInvoice(sid, p)
			return err
		}
	case inv.Status == invoicing.Paid && rec.FinalizedAt != nil:
		op = "pay invoice out of band"
		fn = func(actx context.Context) error {
			p := &stripe.InvoicePayParams{PaidOutOfBand: stripe.Bool(true)}
			use(actx, &p.Params, "tally-paid-"+inv.ID)
			_, err := s.api.Invoices.Pay(sid, p)
			return err
		}
	case inv.Status == invoicing.Uncollectible && rec.FinalizedAt != nil:
		op = "mark invoice uncollectible"
		fn = func(actx context.Context) error {
			p := &stripe.InvoiceMarkUncollectibleParams{}
			use(actx, &p.Params, "tally-unc-"+inv.ID)
			_, err := s.api.Invoices.MarkUncollectible(sid, p)
			return err
		}
	default:
		return s.setPending(ctx, rec, false) // nothing Stripe needs to know
	}
	if err := s.call(ctx, op, "", fn); err != nil {
		var se *StripeError
		if !errors.As(err, &se) || (se.Status != 400 && se.Status != 404) {
			return err
		}
	}
	now := s.clock.Now(ctx)
	return s.db.WithContext(ctx).Model(&invoiceRow{}).Where("invoice_id = ?", inv.ID).
		Updates(map[string]any{"settled_at": now, "pending": false, "updated_at": now}).Error
}

// unsettled lists invoices that Tally settled (void, paid, uncollectible)
// while their Stripe copy has not followed yet.
func (s *Syncer) unsettled(ctx context.Context, limit int) ([]invoiceRow, error) {
	var rows []invoiceRow
	err := s.db.WithContext(ctx).Table("stripe_invoices").Select("stripe_invoices.*").
		Joins("JOIN invoices ON invoices.id = stripe_invoices.invoice_id").
		Where("stripe_invoices.stripe_invoice_id IS NOT NULL AND stripe_invoices.settled_at IS NULL AND invoices.status IN ?",
			[]string{string(invoicing.Void), string(invoicing.Paid), string(invoicing.Uncollectible)}).
		Order("stripe_invoices.invoice_id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("find unsettled stripe invoices: %w", err)
	}
	return rows, nil
}

// finalize finalizes the Stripe copy and turns Stripe's automatic
// collection on (charge or email, per the collection method).
func (s *Syncer) finalize(ctx context.Context, inv invoicing.Invoice, sid string) error {
	key := "tally-fin-" + inv.ID
	p := &stripe.InvoiceFinalizeInvoiceParams{AutoAdvance: stripe.Bool(true)}
	err := s.call(ctx, "finalize invoice", key, func(actx context.Context) error {
		use(actx, &p.Params, key)
		_, err := s.api.Invoices.FinalizeInvoice(sid, p)
		return err
	})
	if err != nil {
		// Already final (finalized by a pass whose answer was lost longer
		// ago than Stripe keeps keys, or by hand) is as good.
		var se *StripeError
		if !errors.As(err, &se) || se.Status != 400 {
			return err
		}
		var cur *stripe.Invoice
		gerr := s.call(ctx, "read invoice", "", func(actx context.Context) (err error) {
			gp := &stripe.InvoiceParams{}
			use(actx, &gp.Params, "")
			cur, err = s.api.Invoices.Get(sid, gp)
			return err
		})
		if gerr != nil || cur.Status == stripe.InvoiceStatusDraft {
			return err
		}
	}
	now := s.clock.Now(ctx)
	return s.db.WithContext(ctx).Model(&invoiceRow{}).Where("invoice_id = ?", inv.ID).
		Updates(map[string]any{"finalized_at": now, "updated_at": now}).Error
}
