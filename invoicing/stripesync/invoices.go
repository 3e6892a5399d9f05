package stripesync

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/tallyhq/tally/invoicing"
	"gorm.io/gorm/clause"
)

// ensureInvoice returns the Stripe invoice of an invoice, creating the
// draft if there is none, and whether it existed before this call (then its
// items may need reconciling).
func (s *Syncer) ensureInvoice(ctx context.Context, inv invoicing.Invoice, cus string, rec *invoiceRow) (string, bool, error) {
	now := s.clock.Now(ctx)
	switch {
	case rec != nil && rec.StripeInvoiceID != nil:
		if err := s.setPending(ctx, rec, true); err != nil {
			return "", false, err
		}
		if inv.StripeInvoiceID == nil || *inv.StripeInvoiceID != *rec.StripeInvoiceID {
			if err := s.inv.SetStripeInvoice(ctx, inv.TenantID, inv.ID, *rec.StripeInvoiceID); err != nil {
				return "", false, err
			}
		}
		return *rec.StripeInvoiceID, true, nil
	case inv.StripeInvoiceID != nil:
		// Tally knows the Stripe invoice but this package has no record
		// (linked by hand): adopt it.
		row := invoiceRow{InvoiceID: inv.ID, TenantID: inv.TenantID, StripeInvoiceID: inv.StripeInvoiceID, Pending: true, CreatedAt: now, UpdatedAt: now}
		if err := s.db.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "invoice_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"stripe_invoice_id", "pending", "updated_at"})}).Create(&row).Error; err != nil {
			return "", false, fmt.Errorf("record stripe invoice: %w", err)
		}
		return *inv.StripeInvoiceID, true, nil
	}
	// No Stripe invoice known. An intent row from an earlier pass means a
	// create may have happened whose answer was lost: look for it first.
	resuming := rec != nil
	if rec == nil {
		row := invoiceRow{InvoiceID: inv.ID, TenantID: inv.TenantID, Pending: true, CreatedAt: now, UpdatedAt: now}
		if err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
			return "", false, fmt.Errorf("record stripe invoice: %w", err)
		}
	} else if err := s.setPending(ctx, rec, true); err != nil {
		return "", false, err
	}
	var sid string
	var err error
	if resuming {
		if sid, err = s.findInvoice(ctx, inv, cus); err != nil {
			return "", false, err
		}
	}
	existed := sid != ""
	if sid == "" {
		sid, err = s.createInvoice(ctx, inv, cus)
		if err != nil && isIdempotencyError(err) {
			// The key was used with other parameters (the settings changed
			// since a create whose answer was lost): that invoice exists.
			if found, ferr := s.findInvoice(ctx, inv, cus); ferr == nil && found != "" {
				sid, err, existed = found, nil, true
			}
		}
		if err != nil {
			return "", false, err
		}
	}
	if err := s.db.WithContext(ctx).Model(&invoiceRow{}).Where("invoice_id = ?", inv.ID).
		Updates(map[string]any{"stripe_invoice_id": sid, "updated_at": s.clock.Now(ctx)}).Error; err != nil {
		return "", false, fmt.Errorf("record stripe invoice: %w", err)
	}
	if err := s.inv.SetStripeInvoice(ctx, inv.TenantID, inv.ID, sid); err != nil {
		return "", false, err
	}
	return sid, existed, nil
}

func (s *Syncer) createInvoice(ctx context.Context, inv invoicing.Invoice, cus string) (string, error) {
	p := &stripe.InvoiceParams{
		Customer:                    stripe.String(cus),
		Currency:                    stripe.String(strings.ToLower(string(inv.Currency))),
		CollectionMethod:            stripe.String(s.cfg.CollectionMethod),
		PendingInvoiceItemsBehavior: stripe.String("exclude"),
		// Stripe would finalize a draft on its own after an hour; Tally
		// decides when (finalize turns it back on, for collection).
		AutoAdvance: stripe.Bool(false),
		Description: stripe.String(invoiceDescription(inv)),
		Metadata: map[string]string{mdInvoice: inv.ID, mdTenant: inv.TenantID, mdCustomer: inv.CustomerID,
			"tally_subscription_id": inv.SubscriptionID, "tally_billing_reason": string(inv.BillingReason)},
	}
	if s.cfg.CollectionMethod == SendInvoice {
		p.DaysUntilDue = stripe.Int64(s.cfg.DaysUntilDue)
	}
	key := "tally-inv-" + inv.ID
	var made *stripe.Invoice
	err := s.call(ctx, "create invoice", key, func(actx context.Context) (err error) {
		use(actx, &p.Params, key)
		made, err = s.api.Invoices.New(p)
		return err
	})
	if err != nil {
		return "", err
	}
	return made.ID, nil
}

// findInvoice looks among the customer's Stripe invoices for the one whose
// metadata names this invoice.
func (s *Syncer) findInvoice(ctx context.Context, inv invoicing.Invoice, cus string) (string, error) {
	var found string
	err := s.call(ctx, "list invoices", "", func(actx context.Context) error {
		found = ""
		p := &stripe.InvoiceListParams{Customer: stripe.String(cus)}
		p.Context = actx
		p.Limit = stripe.Int64(100)
		it := s.api.Invoices.List(p)
		for it.Next() {
			if si := it.Invoice(); si.Metadata[mdInvoice] == inv.ID {
				found = si.ID
				return nil
			}
		}
		return it.Err()
	})
	return found, err
}

func invoiceDescription(inv invoicing.Invoice) string {
	return fmt.Sprintf("Tally invoice %s (%s, %s)", inv.ID, strings.ReplaceAll(string(inv.BillingReason), "_", " "),
		periodText(inv.Period, time.UTC))
}
