package credits

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Service stores grants and draws them.
type Service struct {
	db    *store.DB
	clock domain.Clock
}

// NewService returns a Service.
func NewService(db *store.DB, clock domain.Clock) *Service { return &Service{db: db, clock: clock} }

// Create grants credit to a customer (whose currency the caller passes).
func (s *Service) Create(ctx context.Context, tenantID, customerID string, cur domain.Currency, in CreateInput) (Grant, error) {
	now := s.clock.Now(ctx)
	unit, rate, err := in.validate(cur, now)
	if err != nil {
		return Grant{}, err
	}
	prio := 1
	if in.Priority != nil {
		prio = *in.Priority
	}
	name := strings.TrimSpace(in.Name)
	if name == "" {
		name = "Prepaid credit"
	}
	r := grantRow{ID: domain.NewID("crg"), TenantID: tenantID, CustomerID: customerID, Name: name, Unit: unit, ConversionRate: rate,
		Amount: *in.Amount, Remaining: *in.Amount, Priority: prio, CreatedAt: now}
	if in.ExpiresAt != nil {
		us := in.ExpiresAt.UnixMicro()
		r.ExpiresAt = &us
	}
	if err := s.db.WithContext(ctx).Create(&r).Error; err != nil {
		return Grant{}, fmt.Errorf("create credit grant: %w", err)
	}
	return r.toGrant(), nil
}

// List returns a customer's grants, oldest first (voided ones included).
func (s *Service) List(ctx context.Context, tenantID, customerID string) ([]Grant, error) {
	return s.list(s.db.WithContext(ctx), tenantID, customerID)
}

func (s *Service) list(db *gorm.DB, tenantID, customerID string) ([]Grant, error) {
	var rows []grantRow
	if err := db.Where("tenant_id = ? AND customer_id = ?", tenantID, customerID).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list credit grants: %w", err)
	}
	out := make([]Grant, len(rows))
	for i, r := range rows {
		out[i] = r.toGrant()
	}
	return out, nil
}

// Void withdraws what is left of a grant; what it already paid stays paid.
func (s *Service) Void(ctx context.Context, tenantID, customerID, id string) (Grant, error) {
	now := s.clock.Now(ctx)
	res := s.db.WithContext(ctx).Model(&grantRow{}).Where("tenant_id = ? AND customer_id = ? AND id = ? AND voided_at IS NULL", tenantID, customerID, id).
		Updates(map[string]any{"voided_at": now})
	if res.Error != nil {
		return Grant{}, fmt.Errorf("void credit grant: %w", res.Error)
	}
	var r grantRow
	if err := s.db.WithContext(ctx).Where("tenant_id = ? AND customer_id = ? AND id = ?", tenantID, customerID, id).Take(&r).Error; err != nil {
		if store.IsNotFound(err) {
			return Grant{}, domain.NotFound("credit grant", id)
		}
		return Grant{}, err
	}
	return r.toGrant(), nil
}

// Preview is what the customer's grants would pay of due at t.
func (s *Service) Preview(ctx context.Context, tenantID, customerID string, cur domain.Currency, due decimal.Decimal, t time.Time) (decimal.Decimal, error) {
	grants, err := s.List(ctx, tenantID, customerID)
	if err != nil {
		return decimal.Zero, err
	}
	return Total(Plan(grants, due, cur, t)), nil
}

// DrawTx draws grants for an invoice inside the caller's transaction (the
// grants are locked on Postgres, so two finalizations cannot spend the same
// credit) and returns the currency amount drawn.
func (s *Service) DrawTx(tx *gorm.DB, tenantID, customerID, invoiceID string, cur domain.Currency, due decimal.Decimal, t time.Time) (decimal.Decimal, error) {
	q := tx.Where("tenant_id = ? AND customer_id = ?", tenantID, customerID).Order("created_at, id")
	if s.db.Dialect == store.Postgres {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var rows []grantRow
	if err := q.Find(&rows).Error; err != nil {
		return decimal.Zero, fmt.Errorf("read credit grants: %w", err)
	}
	grants := make([]Grant, len(rows))
	for i, r := range rows {
		grants[i] = r.toGrant()
	}
	draws := Plan(grants, due, cur, t)
	for _, d := range draws {
		var g Grant
		for _, x := range grants {
			if x.ID == d.GrantID {
				g = x
			}
		}
		if err := tx.Model(&grantRow{}).Where("id = ?", d.GrantID).Update("remaining", g.Remaining.Sub(d.Units)).Error; err != nil {
			return decimal.Zero, fmt.Errorf("draw credit grant: %w", err)
		}
		if err := tx.Create(&applicationRow{InvoiceID: invoiceID, GrantID: d.GrantID, Units: d.Units, Amount: d.Amount, CreatedAt: t}).Error; err != nil {
			return decimal.Zero, fmt.Errorf("record credit draw: %w", err)
		}
	}
	return Total(draws), nil
}

// ReleaseTx gives back what an invoice drew (when it is voided).
func (s *Service) ReleaseTx(tx *gorm.DB, invoiceID string) error {
	var apps []applicationRow
	if err := tx.Where("invoice_id = ?", invoiceID).Find(&apps).Error; err != nil {
		return fmt.Errorf("read credit draws: %w", err)
	}
	for _, a := range apps {
		var g grantRow
		if err := tx.Where("id = ?", a.GrantID).Take(&g).Error; err != nil {
			return fmt.Errorf("read credit grant: %w", err)
		}
		if err := tx.Model(&grantRow{}).Where("id = ?", a.GrantID).Update("remaining", g.Remaining.Add(a.Units)).Error; err != nil {
			return fmt.Errorf("give back credit: %w", err)
		}
	}
	return tx.Where("invoice_id = ?", invoiceID).Delete(&applicationRow{}).Error
}
