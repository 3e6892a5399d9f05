package credits

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
	"gorm.io/gorm"
)

// DrawTx draws the customer's grants for an invoice, inside the caller's
// transaction (which must already hold the invoice's row lock, so one
// invoice is never drawn twice): the grants are locked, planned by Plan for
// the lines of an invoice closing a period that ends at periodEnd, and each
// grant drawn gets one application row and one ledger "draw" entry. It
// returns the draws per line.
func (s *Service) DrawTx(tx *gorm.DB, tenantID, customerID, invoiceID string, cur domain.Currency, lines []Line, periodEnd, now time.Time) ([]Draw, error) {
	rows, err := s.lock(tx.Where("tenant_id = ? AND customer_id = ?", tenantID, customerID))
	if err != nil {
		return nil, err
	}
	grants, err := toGrants(rows)
	if err != nil {
		return nil, err
	}
	draws := Plan(grants, lines, cur, periodEnd)
	for _, d := range ByGrant(draws) {
		g := find(grants, d.GrantID)
		left := g.Remaining.Sub(d.Units)
		if left.IsNegative() {
			return nil, fmt.Errorf("credits: draw of %s from grant %s exceeds its %s", d.Units, g.ID, g.Remaining)
		}
		if err := tx.Model(&grantRow{}).Where("id = ?", g.ID).Update("remaining", left).Error; err != nil {
			return nil, fmt.Errorf("draw credit grant: %w", err)
		}
		if err := tx.Create(&applicationRow{InvoiceID: invoiceID, GrantID: g.ID, Units: d.Units, Amount: d.Amount, CreatedAt: now}).Error; err != nil {
			return nil, fmt.Errorf("record credit draw: %w", err)
		}
		amount := d.Amount.Neg()
		if err := addEntry(tx, g, KindDraw, invoiceID, d.Units.Neg(), &amount, now); err != nil {
			return nil, err
		}
	}
	return draws, nil
}

func find(grants []Grant, id string) Grant {
	for _, g := range grants {
		if g.ID == id {
			return g
		}
	}
	return Grant{}
}

// ReleaseTx gives back what an invoice drew (it is being voided), inside
// the caller's transaction: each grant drawn is locked, credited its units
// back with a ledger "release" entry, and the application rows go, so a
// second release gives nothing. A grant voided meanwhile gets a "void"
// entry for the units released to it: they are not usable again.
func (s *Service) ReleaseTx(tx *gorm.DB, invoiceID string, now time.Time) error {
	var apps []applicationRow
	if err := tx.Where("invoice_id = ?", invoiceID).Order("grant_id").Find(&apps).Error; err != nil {
		return fmt.Errorf("read credit draws: %w", err)
	}
	if len(apps) == 0 {
		return nil
	}
	ids := make([]string, len(apps))
	for i, a := range apps {
		ids[i] = a.GrantID
	}
	rows, err := s.lock(tx.Where("id IN ?", ids))
	if err != nil {
		return err
	}
	grants, err := toGrants(rows)
	if err != nil {
		return err
	}
	for _, a := range apps {
		g := find(grants, a.GrantID)
		if err := tx.Model(&grantRow{}).Where("id = ?", g.ID).Update("remaining", g.Remaining.Add(a.Units)).Error; err != nil {
			return fmt.Errorf("give back credit: %w", err)
		}
		amount := a.Amount
		if err := addEntry(tx, g, KindRelease, invoiceID, a.Units, &amount, now); err != nil {
			return err
		}
		if g.VoidedAt != nil {
			if err := addEntry(tx, g, KindVoid, "", a.Units.Neg(), nil, now); err != nil {
				return err
			}
		}
	}
	return tx.Where("invoice_id = ?", invoiceID).Delete(&applicationRow{}).Error
}

// ActivateTx makes the grants bought by a purchase invoice usable (it was
// paid): usable_at is set and the ledger "grant" entry written. Grants
// already usable, or voided, are left alone, so a replayed payment does
// nothing.
func (s *Service) ActivateTx(tx *gorm.DB, invoiceID string, now time.Time) error {
	rows, err := s.lock(tx.Where("purchase_invoice_id = ? AND usable_at IS NULL AND voided_at IS NULL", invoiceID))
	if err != nil {
		return err
	}
	for _, r := range rows {
		g, err := r.toGrant()
		if err != nil {
			return err
		}
		if err := tx.Model(&grantRow{}).Where("id = ?", g.ID).Update("usable_at", now.UnixMicro()).Error; err != nil {
			return fmt.Errorf("activate credit grant: %w", err)
		}
		if err := addEntry(tx, g, KindGrant, "", g.Amount, nil, now); err != nil {
			return err
		}
	}
	return nil
}

// VoidPurchaseTx voids what is left of the grants bought by a purchase
// invoice that is being voided (nothing was granted yet if they awaited
// payment).
func (s *Service) VoidPurchaseTx(tx *gorm.DB, invoiceID string, now time.Time) error {
	rows, err := s.lock(tx.Where("purchase_invoice_id = ? AND voided_at IS NULL", invoiceID))
	if err != nil {
		return err
	}
	for _, r := range rows {
		g, err := r.toGrant()
		if err != nil {
			return err
		}
		if _, err := voidTx(tx, g, now); err != nil {
			return err
		}
	}
	return nil
}

// addEntry appends one ledger entry for g. amount is its currency value
// when known (draws and releases); nil derives it from the grant's rate.
func addEntry(tx *gorm.DB, g Grant, kind EntryKind, invoiceID string, units decimal.Decimal, amount *decimal.Decimal, at time.Time) error {
	r := ledgerRow{ID: domain.NewID("cle"), TenantID: g.TenantID, CustomerID: g.CustomerID, GrantID: g.ID, Unit: g.Unit, Kind: string(kind),
		Units: units, At: at.UnixMicro(), CreatedAt: at}
	if invoiceID != "" {
		r.InvoiceID = &invoiceID
	}
	if amount != nil {
		r.Amount = decimal.NewNullDecimal(*amount)
	}
	if err := tx.Create(&r).Error; err != nil {
		return fmt.Errorf("write credit ledger: %w", err)
	}
	return nil
}
