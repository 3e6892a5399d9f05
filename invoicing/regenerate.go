package invoicing

import (
	"context"
	"fmt"

	"github.com/tallyhq/tally/domain"
	"gorm.io/gorm"
)

// Regenerate drafts the replacement of a void invoice from the events
// stored now (pricing.md, "void invoices"): same subscription, reason and
// period, linked both ways (the new draft's Replaces, the void one's
// ReplacedBy). Invoice runs never do this by themselves: a void invoice
// keeps its period from them. Only a void invoice that has not been
// replaced yet can be regenerated (else a conflict), and since at most one
// invoice per (subscription, reason, period) is not void, two racing
// regenerations make one draft. A credit purchase (manual) has no rule to
// recompute it from and cannot be regenerated.
func (s *Service) Regenerate(ctx context.Context, tenantID, id string) (Invoice, error) {
	old, err := s.Get(ctx, tenantID, id)
	if err != nil {
		return Invoice{}, err
	}
	switch {
	case old.Status != Void:
		return Invoice{}, domain.Conflict("invalid_state", "invoice %s is %s: only a void invoice can be regenerated", id, old.Status)
	case old.ReplacedBy != "":
		return Invoice{}, domain.Conflict("already_replaced", "invoice %s was already replaced by %s", id, old.ReplacedBy)
	case old.SubscriptionID == "" || old.BillingReason == Manual:
		return Invoice{}, domain.Conflict("invalid_state", "invoice %s is a manual invoice: it cannot be regenerated", id)
	}
	lines, err := s.linesFor(ctx, old)
	if err != nil {
		return Invoice{}, err
	}
	if lines == nil {
		lines = []Line{}
	}
	inv := Invoice{ID: domain.NewID(domain.PrefixInvoice), TenantID: tenantID, Status: Draft, BillingReason: old.BillingReason,
		CustomerID: old.CustomerID, SubscriptionID: old.SubscriptionID, Currency: old.Currency, Period: old.Period, Lines: lines,
		Replaces: old.ID, CreatedAt: s.clock.Now(ctx)}
	inv.total()
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&invoiceRow{}).Where("tenant_id = ? AND id = ? AND status = ? AND replaced_by IS NULL", tenantID, id, string(Void)).
			Update("replaced_by", inv.ID)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return domain.Conflict("already_replaced", "invoice %s was replaced meanwhile", id)
		}
		made, err := s.insertTx(tx, inv)
		if err != nil {
			return err
		}
		if !made {
			return domain.Conflict("invalid_state", "the period of invoice %s already has an invoice that is not void", id)
		}
		return nil
	})
	s.changed(tenantID, old.CustomerID)
	if err != nil {
		if domain.KindOf(err) != "" {
			return Invoice{}, err
		}
		return Invoice{}, fmt.Errorf("regenerate invoice: %w", err)
	}
	return s.Get(ctx, tenantID, inv.ID)
}
