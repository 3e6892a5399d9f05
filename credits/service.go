package credits

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
	"gorm.io/gorm"
)

// Service stores grants, draws them and keeps their ledger. Every change
// to a grant's remaining amount happens with the grant's row locked (FOR
// UPDATE on Postgres; SQLite serializes writers), always in id order, and
// writes its ledger entry in the same transaction.
type Service struct {
	db     *store.DB
	clock  domain.Clock
	notify domain.Notifier
}

// NewService returns a Service; notify (nil: nobody) hears of every grant
// created or voided through Create and Void (the Tx variants run in the
// caller's transaction: the caller notifies once it commits).
func NewService(db *store.DB, clock domain.Clock, notify domain.Notifier) *Service {
	return &Service{db: db, clock: clock, notify: notify}
}

// Validate checks a grant request against the customer's currency at now
// without storing anything: every problem, each with its field.
func Validate(in CreateInput, cur domain.Currency, now time.Time) error {
	_, err := in.validate(cur, now)
	return err
}

// Create grants free credit to a customer (whose currency the caller
// passes); it is usable at once. A paid grant needs its purchase invoice:
// invoicing creates it with CreateTx.
func (s *Service) Create(ctx context.Context, tenantID, customerID string, cur domain.Currency, in CreateInput) (Grant, error) {
	if in.Paid {
		return Grant{}, domain.Invalid("paid", "a paid grant is a purchase: it is created with its invoice")
	}
	defer domain.Notify(s.notify, domain.Change{TenantID: tenantID, CustomerID: customerID})
	var g Grant
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		g, err = s.CreateTx(tx, tenantID, customerID, cur, in, s.clock.Now(ctx), "")
		return err
	})
	return g, err
}

// CreateTx stores a grant inside the caller's transaction. invoiceID is
// the purchase invoice of a paid grant ("" for a free one). The grant is
// usable at now — and its ledger "grant" entry written — when it is free or
// usable immediately; otherwise ActivateTx does both once the invoice is
// paid.
func (s *Service) CreateTx(tx *gorm.DB, tenantID, customerID string, cur domain.Currency, in CreateInput, now time.Time, invoiceID string) (Grant, error) {
	sp, err := in.validate(cur, now)
	if err != nil {
		return Grant{}, err
	}
	if in.Paid && invoiceID == "" {
		return Grant{}, fmt.Errorf("credits: a paid grant needs its purchase invoice")
	}
	r := grantRow{ID: domain.NewID("crg"), TenantID: tenantID, CustomerID: customerID, Name: sp.name, Unit: sp.unit, ConversionRate: sp.rate,
		Amount: sp.amount, Remaining: sp.amount, Priority: sp.priority, AppliesTo: string(sp.appliesTo), ExpiresAt: microsPtr(sp.expiresAt), CreatedAt: now}
	if sp.price != nil {
		r.Price = decimal.NewNullDecimal(*sp.price)
	}
	if invoiceID != "" {
		r.PurchaseInvoiceID = &invoiceID
	}
	if !in.Paid || sp.usable == Immediately {
		r.UsableAt = microsPtr(&now)
	}
	if err := tx.Create(&r).Error; err != nil {
		return Grant{}, fmt.Errorf("create credit grant: %w", err)
	}
	g, err := r.toGrant()
	if err != nil {
		return Grant{}, err
	}
	if g.UsableAt != nil {
		if err := addEntry(tx, g, KindGrant, "", g.Amount, nil, now); err != nil {
			return Grant{}, err
		}
	}
	return g, nil
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
	return toGrants(rows)
}

func toGrants(rows []grantRow) ([]Grant, error) {
	out := make([]Grant, len(rows))
	for i, r := range rows {
		g, err := r.toGrant()
		if err != nil {
			return nil, err
		}
		out[i] = g
	}
	return out, nil
}

// Void withdraws what is left of a grant (a ledger "void" entry of its
// remaining amount); what it already paid stays paid, and a draw released
// later (its invoice voided) is voided with it. Voiding a voided grant
// changes nothing.
func (s *Service) Void(ctx context.Context, tenantID, customerID, id string) (Grant, error) {
	defer domain.Notify(s.notify, domain.Change{TenantID: tenantID, CustomerID: customerID})
	now := s.clock.Now(ctx)
	var g Grant
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		rows, err := s.lock(tx.Where("tenant_id = ? AND customer_id = ? AND id = ?", tenantID, customerID, id))
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return domain.NotFound("credit grant", id)
		}
		cur, err := rows[0].toGrant()
		if err != nil {
			return err
		}
		g, err = voidTx(tx, cur, now)
		return err
	})
	return g, err
}

// voidTx voids a locked grant.
func voidTx(tx *gorm.DB, g Grant, now time.Time) (Grant, error) {
	if g.VoidedAt != nil {
		return g, nil
	}
	if err := tx.Model(&grantRow{}).Where("id = ?", g.ID).Update("voided_at", now).Error; err != nil {
		return Grant{}, fmt.Errorf("void credit grant: %w", err)
	}
	g.VoidedAt = &now
	if g.UsableAt != nil && g.Remaining.IsPositive() {
		if err := addEntry(tx, g, KindVoid, "", g.Remaining.Neg(), nil, now); err != nil {
			return Grant{}, err
		}
	}
	return g, nil
}

// lock reads the grant rows q selects, locked for update on Postgres, in id
// order: every writer locks grants in that one order, so two transactions
// never wait on each other in a cycle.
func (s *Service) lock(q *gorm.DB) ([]grantRow, error) {
	q = s.db.Dialect.LockForUpdate(q.Order("id"))
	var rows []grantRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("lock credit grants: %w", err)
	}
	return rows, nil
}
