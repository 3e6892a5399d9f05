package invoicing

import (
	"context"
	"fmt"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
)

// SetStripeInvoice records the Stripe invoice that mirrors an invoice (and
// when it was last synced).
func (s *Service) SetStripeInvoice(ctx context.Context, tenantID, id, stripeInvoiceID string) error {
	now := s.clock.Now(ctx)
	res := s.db.WithContext(ctx).Model(&invoiceRow{}).Where("tenant_id = ? AND id = ?", tenantID, id).
		Updates(map[string]any{"stripe_invoice_id": stripeInvoiceID, "stripe_synced_at": now, "updated_at": now})
	if res.Error != nil {
		return fmt.Errorf("record stripe invoice: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return domain.NotFound("invoice", id)
	}
	return nil
}

// ByStripeInvoice finds the invoice a Stripe invoice mirrors (any tenant:
// Stripe ids are global).
func (s *Service) ByStripeInvoice(ctx context.Context, stripeInvoiceID string) (Invoice, error) {
	var r invoiceRow
	if err := s.db.WithContext(ctx).Where("stripe_invoice_id = ?", stripeInvoiceID).Take(&r).Error; err != nil {
		if store.IsNotFound(err) {
			return Invoice{}, domain.NotFound("invoice with stripe id", stripeInvoiceID)
		}
		return Invoice{}, fmt.Errorf("find by stripe id: %w", err)
	}
	return s.Get(ctx, r.TenantID, r.ID)
}

// Unsynced lists, oldest first, up to limit invoices of every tenant that
// should be in Stripe but are not yet (or changed since): drafts and
// finalized invoices with a non-zero total and no Stripe id, and finalized
// ones whose Stripe copy was made while they were drafts. Every filter is in
// SQL, before the limit, so that invoices that will never be sent cannot
// fill the page and starve newer ones: zero totals never sent (recorded,
// never sent; one already in Stripe is kept in step) and invoices refused for an amount Stripe cannot take (StripeSyncError set,
// until the invoice is recomputed or finalized) are left out.
func (s *Service) Unsynced(ctx context.Context, limit int) ([]Invoice, error) {
	var rows []invoiceRow
	err := s.db.WithContext(ctx).
		Where("status IN ? AND (stripe_invoice_id IS NULL OR (finalized_at IS NOT NULL AND (stripe_synced_at IS NULL OR stripe_synced_at < finalized_at)))",
			[]string{string(Draft), string(Finalized)}).
		Where("stripe_sync_error IS NULL").
		Where("stripe_invoice_id IS NOT NULL OR " + s.db.Dialect.DecimalNotZero("total")).
		Order("id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("find unsynced invoices: %w", err)
	}
	return s.withLines(ctx, rows)
}

// RefuseStripeSync records why an invoice cannot be sent to Stripe; the
// pending-sync query skips it from then on, until it is recomputed or
// finalized (which clear the reason) or ClearStripeSyncError clears it.
func (s *Service) RefuseStripeSync(ctx context.Context, tenantID, id, reason string) error {
	res := s.db.WithContext(ctx).Model(&invoiceRow{}).Where("tenant_id = ? AND id = ?", tenantID, id).
		Update("stripe_sync_error", reason)
	if res.Error != nil {
		return fmt.Errorf("record stripe sync error: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return domain.NotFound("invoice", id)
	}
	return nil
}

// ClearStripeSyncError forgets a refusal once the invoice can be sent.
func (s *Service) ClearStripeSyncError(ctx context.Context, tenantID, id string) error {
	err := s.db.WithContext(ctx).Model(&invoiceRow{}).Where("tenant_id = ? AND id = ? AND stripe_sync_error IS NOT NULL", tenantID, id).
		Update("stripe_sync_error", nil).Error
	if err != nil {
		return fmt.Errorf("clear stripe sync error: %w", err)
	}
	return nil
}
