package stripesync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
)

// SyncPending syncs invoices that need it: those invoicing.Unsynced lists
// (new drafts, newly finalized invoices) and those whose last sync stopped
// half-way. It returns how many it synced; one failure does not stop the
// others, and the errors are joined. Without an API key it does nothing.
func (s *Syncer) SyncPending(ctx context.Context) (int, error) {
	if !s.Enabled() {
		return 0, nil
	}
	type ref struct{ tenantID, id string }
	var refs []ref
	seen := map[string]bool{}
	due, err := s.inv.Unsynced(ctx, 100)
	if err != nil {
		return 0, err
	}
	for _, inv := range due {
		seen[inv.ID] = true
		refs = append(refs, ref{inv.TenantID, inv.ID})
	}
	var pending []invoiceRow
	if err := s.db.WithContext(ctx).Where("pending = ?", true).Order("invoice_id").Limit(100).Find(&pending).Error; err != nil {
		return 0, fmt.Errorf("find pending stripe syncs: %w", err)
	}
	unsettled, err := s.unsettled(ctx, 100)
	if err != nil {
		return 0, err
	}
	for _, p := range append(pending, unsettled...) {
		if !seen[p.InvoiceID] {
			seen[p.InvoiceID] = true
			refs = append(refs, ref{p.TenantID, p.InvoiceID})
		}
	}
	n := 0
	var errs []error
	for _, r := range refs {
		if ctx.Err() != nil {
			errs = append(errs, ctx.Err())
			break
		}
		if _, err := s.Sync(ctx, r.tenantID, r.id); err != nil {
			s.log.Warn("stripe sync failed", slog.String("tenant_id", r.tenantID), slog.String("invoice_id", r.id), slog.String("error", Redact(err)))
			errs = append(errs, fmt.Errorf("invoice %s: %w", r.id, err))
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}
