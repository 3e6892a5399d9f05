package stripesync

import (
	"context"
	"fmt"
	"sort"

	"github.com/tallyhq/tally/invoicing"
	"github.com/tallyhq/tally/store"
	"gorm.io/gorm/clause"
)

// done marks a completed sync: Tally's synced time, and no longer pending.
func (s *Syncer) done(ctx context.Context, inv invoicing.Invoice, sid string) error {
	if err := s.inv.SetStripeInvoice(ctx, inv.TenantID, inv.ID, sid); err != nil {
		return err
	}
	return s.db.WithContext(ctx).Model(&invoiceRow{}).Where("invoice_id = ?", inv.ID).
		Updates(map[string]any{"pending": false, "updated_at": s.clock.Now(ctx)}).Error
}

func (s *Syncer) setPending(ctx context.Context, rec *invoiceRow, pending bool) error {
	if rec == nil || rec.Pending == pending {
		return nil
	}
	rec.Pending = pending
	return s.db.WithContext(ctx).Model(&invoiceRow{}).Where("invoice_id = ?", rec.InvoiceID).
		Updates(map[string]any{"pending": pending, "updated_at": s.clock.Now(ctx)}).Error
}

// record reads the invoice's stripe_invoices row, nil if none.
func (s *Syncer) record(ctx context.Context, invoiceID string) (*invoiceRow, error) {
	var r invoiceRow
	if err := s.db.WithContext(ctx).Where("invoice_id = ?", invoiceID).Take(&r).Error; err != nil {
		if store.IsNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("read stripe invoice record: %w", err)
	}
	return &r, nil
}

func (s *Syncer) items(ctx context.Context, invoiceID string) (map[int]*itemRow, error) {
	var list []itemRow
	if err := s.db.WithContext(ctx).Where("invoice_id = ?", invoiceID).Find(&list).Error; err != nil {
		return nil, fmt.Errorf("read stripe invoice items: %w", err)
	}
	out := make(map[int]*itemRow, len(list))
	for i := range list {
		out[list[i].Position] = &list[i]
	}
	return out, nil
}

func (s *Syncer) saveItem(ctx context.Context, r *itemRow) error {
	r.UpdatedAt = s.clock.Now(ctx)
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "invoice_id"}, {Name: "position"}},
		DoUpdates: clause.AssignmentColumns([]string{"stripe_item_id", "amount_minor", "description", "generation", "revision", "dirty", "updated_at"}),
	}).Create(r).Error
	if err != nil {
		return fmt.Errorf("record stripe invoice item: %w", err)
	}
	return nil
}

func sortedPositions(rows map[int]*itemRow) []int {
	out := make([]int, 0, len(rows))
	for p := range rows {
		out = append(out, p)
	}
	sort.Ints(out)
	return out
}
