package invoicing

import (
	"context"
	"fmt"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/webhooks"
	"gorm.io/gorm"
)

// insert stores a new invoice with its lines unless the subscription
// already has one for the same reason and period start (a unique
// constraint decides, so concurrent runs cannot both insert). It reports
// whether this call created it.
func (s *Service) insert(ctx context.Context, inv Invoice) (bool, error) {
	created := false
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		created, err = s.insertTx(tx, inv)
		return err
	})
	s.changed(inv.TenantID, inv.CustomerID)
	if err != nil {
		return false, fmt.Errorf("store invoice: %w", err)
	}
	return created, nil
}

// insertTx is insert inside tx. Void invoices do not hold their slot: at
// most one invoice per (subscription, reason, period start) is not void.
// An invoice it creates is reported (invoice.created) in tx.
func (s *Service) insertTx(tx *gorm.DB, inv Invoice) (bool, error) {
	r, lines := toRows(inv)
	var ids []string
	err := tx.Raw(`INSERT INTO invoices (id, tenant_id, number, status, billing_reason, customer_id, subscription_id, currency,
		period_start, period_end, subtotal, credits_applied, total, note, run_id, stripe_invoice_id, created_at, updated_at, finalized_at, replaces)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT (tenant_id, subscription_id, billing_reason, period_start) WHERE status <> 'void' DO NOTHING RETURNING id`,
		r.ID, r.TenantID, r.Number, r.Status, r.BillingReason, r.CustomerID, r.SubscriptionID, r.Currency,
		r.PeriodStart, r.PeriodEnd, r.Subtotal, r.CreditsApplied, r.Total, r.Note, r.RunID, r.StripeInvoiceID, r.CreatedAt, r.UpdatedAt, r.FinalizedAt, r.Replaces).
		Scan(&ids).Error
	if err != nil || len(ids) == 0 {
		return false, err
	}
	if len(lines) > 0 {
		if err := tx.Create(&lines).Error; err != nil {
			return false, err
		}
	}
	return true, s.EmitInvoiceTx(tx, webhooks.InvoiceCreated, inv)
}

// exists reports which (reason, period start) invoices a subscription has.
func (s *Service) existing(ctx context.Context, tenantID, subscriptionID string) (map[key]bool, error) {
	var rows []struct {
		BillingReason string
		PeriodStart   int64
	}
	if err := s.db.WithContext(ctx).Table("invoices").Select("billing_reason, period_start").
		Where("tenant_id = ? AND subscription_id = ?", tenantID, subscriptionID).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("read invoices: %w", err)
	}
	out := make(map[key]bool, len(rows))
	for _, r := range rows {
		out[key{Reason(r.BillingReason), r.PeriodStart}] = true
	}
	return out, nil
}

// key identifies an invoice within a subscription.
type key struct {
	reason Reason
	start  int64
}

// Get reads an invoice with its lines.
func (s *Service) Get(ctx context.Context, tenantID, id string) (Invoice, error) {
	var r invoiceRow
	if err := s.db.WithContext(ctx).Where("tenant_id = ? AND id = ?", tenantID, id).Take(&r).Error; err != nil {
		if store.IsNotFound(err) {
			return Invoice{}, domain.NotFound("invoice", id)
		}
		return Invoice{}, fmt.Errorf("get invoice: %w", err)
	}
	out, err := s.withLines(ctx, []invoiceRow{r})
	if err != nil {
		return Invoice{}, err
	}
	return out[0], nil
}

// Query filters List.
type Query struct {
	CustomerID     string
	SubscriptionID string
	Status         Status
}

// List lists invoices, oldest first.
func (s *Service) List(ctx context.Context, tenantID string, q Query, page domain.Page) (domain.List[Invoice], error) {
	page, err := page.Normalize()
	if err != nil {
		return domain.List[Invoice]{}, err
	}
	db := s.db.WithContext(ctx).Where("tenant_id = ?", tenantID)
	if q.CustomerID != "" {
		db = db.Where("customer_id = ?", q.CustomerID)
	}
	if q.SubscriptionID != "" {
		db = db.Where("subscription_id = ?", q.SubscriptionID)
	}
	if q.Status != "" {
		switch q.Status {
		case Draft, Finalized, Paid, Void, Uncollectible:
		default:
			return domain.List[Invoice]{}, domain.Invalid("status", "unknown status %q (draft, finalized, paid, void, uncollectible)", q.Status)
		}
		db = db.Where("status = ?", string(q.Status))
	}
	if page.Cursor != "" {
		db = db.Where("id > ?", page.Cursor)
	}
	var rows []invoiceRow
	if err := db.Order("id").Limit(page.Limit + 1).Find(&rows).Error; err != nil {
		return domain.List[Invoice]{}, fmt.Errorf("list invoices: %w", err)
	}
	out, err := s.withLines(ctx, rows)
	if err != nil {
		return domain.List[Invoice]{}, err
	}
	return domain.PageOf(out, page.Limit, func(i Invoice) string { return i.ID }), nil
}

func (s *Service) withLines(ctx context.Context, rows []invoiceRow) ([]Invoice, error) {
	if len(rows) == 0 {
		return []Invoice{}, nil
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var lines []lineRow
	if err := s.db.WithContext(ctx).Where("invoice_id IN ?", ids).Order("invoice_id, position").Find(&lines).Error; err != nil {
		return nil, fmt.Errorf("read invoice lines: %w", err)
	}
	by := map[string][]lineRow{}
	for _, l := range lines {
		by[l.InvoiceID] = append(by[l.InvoiceID], l)
	}
	out := make([]Invoice, len(rows))
	for i, r := range rows {
		inv, err := fromRows(r, by[r.ID])
		if err != nil {
			return nil, err
		}
		out[i] = inv
	}
	return out, nil
}

// Lookup reads an invoice by id alone, whatever its tenant (operator
// tools; the API always scopes by tenant).
func (s *Service) Lookup(ctx context.Context, id string) (Invoice, error) {
	var r invoiceRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		if store.IsNotFound(err) {
			return Invoice{}, domain.NotFound("invoice", id)
		}
		return Invoice{}, fmt.Errorf("get invoice: %w", err)
	}
	return s.Get(ctx, r.TenantID, id)
}
