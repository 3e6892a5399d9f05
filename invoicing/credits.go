package invoicing

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/credits"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/plans"
	"github.com/tallyhq/tally/plans/rating"
	"gorm.io/gorm"
)

// Credits is what invoicing needs of prepaid credit (credits.Service): the
// grants, and the transactional draw, release, activation and void that
// run inside an invoice's own lifecycle transaction.
type Credits interface {
	List(ctx context.Context, tenantID, customerID string) ([]credits.Grant, error)
	CreateTx(tx *gorm.DB, tenantID, customerID string, cur domain.Currency, in credits.CreateInput, now time.Time, invoiceID string) (credits.Grant, error)
	DrawTx(tx *gorm.DB, tenantID, customerID, invoiceID string, cur domain.Currency, lines []credits.Line, periodEnd, now time.Time) ([]credits.Draw, error)
	ReleaseTx(tx *gorm.DB, invoiceID string, now time.Time) error
	ActivateTx(tx *gorm.DB, invoiceID string, now time.Time) error
	VoidPurchaseTx(tx *gorm.DB, invoiceID string, now time.Time) error
	DueExpiries(ctx context.Context, tenantID string, now time.Time) ([]credits.Due, error)
	RecordExpiryTx(tx *gorm.DB, tenantID, grantID string, pending decimal.Decimal, now time.Time) (credits.Expiry, bool, error)
}

// unitAmount is a rated line's amount in its custom price unit (zero for a
// price in the currency).
func unitAmount(p rating.Price, l rating.Line) decimal.Decimal {
	if p.PriceUnit == "" {
		return decimal.Zero
	}
	return l.UnitAmount
}

// drawsCredit reports whether prepaid credit may pay the invoice: a credit
// purchase is never paid with credit.
func drawsCredit(inv Invoice) bool { return inv.BillingReason != Manual }

// creditLines is what a draw sees of an invoice's lines.
func creditLines(inv Invoice) []credits.Line {
	out := make([]credits.Line, len(inv.Lines))
	for i, l := range inv.Lines {
		cl := credits.Line{Usage: l.Type == plans.Usage, Amount: l.Amount}
		if l.PriceUnit != "" && l.ConversionRate != nil {
			cl.Unit, cl.UnitAmount, cl.Rate = l.PriceUnit, l.UnitAmount, *l.ConversionRate
		}
		out[i] = cl
	}
	return out
}

// applyDraws writes draws onto the invoice's lines and totals:
// credits_applied is their currency value, total = subtotal − it.
func applyDraws(inv *Invoice, draws []credits.Draw) {
	for i := range inv.Lines {
		inv.Lines[i].CreditsApplied, inv.Lines[i].CreditUnits = decimal.Zero, decimal.Zero
	}
	for _, d := range draws {
		l := &inv.Lines[d.Line]
		l.CreditsApplied = l.CreditsApplied.Add(d.Amount)
		if l.PriceUnit != "" && d.Unit == l.PriceUnit {
			l.CreditUnits = l.CreditUnits.Add(d.Units)
		}
	}
	inv.CreditsApplied = credits.Total(draws)
	inv.Total = inv.Subtotal.Sub(inv.CreditsApplied)
}

// drafts lists the customer's drafts that credit would pay, in the order
// they close (period end, then id): the order the balance assumes they
// are finalized in.
func (s *Service) drafts(ctx context.Context, tenantID, customerID string) ([]Invoice, error) {
	var rows []invoiceRow
	if err := s.db.WithContext(ctx).Where("tenant_id = ? AND customer_id = ? AND status = ? AND billing_reason <> ?",
		tenantID, customerID, string(Draft), string(Manual)).Order("period_end, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read drafts: %w", err)
	}
	return s.withLines(ctx, rows)
}

// afterDrafts returns the customer's grants less what its drafts (as
// stored) would draw when finalized, and that pending draw per grant.
func (s *Service) afterDrafts(ctx context.Context, tenantID, customerID string) ([]credits.Grant, map[string]decimal.Decimal, error) {
	grants, err := s.credits.List(ctx, tenantID, customerID)
	if err != nil {
		return nil, nil, err
	}
	pending := map[string]decimal.Decimal{}
	if len(grants) == 0 {
		return grants, pending, nil
	}
	drafts, err := s.drafts(ctx, tenantID, customerID)
	if err != nil {
		return nil, nil, err
	}
	for _, d := range drafts {
		simulate(grants, pending, d)
	}
	return grants, pending, nil
}

// simulate draws inv's credit from grants (in memory) and adds it to
// pending.
func simulate(grants []credits.Grant, pending map[string]decimal.Decimal, inv Invoice) []credits.Draw {
	draws := credits.Plan(grants, creditLines(inv), inv.Currency, inv.Period.End)
	credits.Apply(grants, draws)
	for _, d := range draws {
		pending[d.GrantID] = pending[d.GrantID].Add(d.Units)
	}
	return draws
}

// previewCredits shows on a proposed invoice what the customer's grants
// would pay of it, after its drafts have drawn theirs.
func (s *Service) previewCredits(ctx context.Context, inv *Invoice) error {
	grants, pending, err := s.afterDrafts(ctx, inv.TenantID, inv.CustomerID)
	if err != nil {
		return err
	}
	applyDraws(inv, simulate(grants, pending, *inv))
	return nil
}

// drawCredits draws prepaid credit for an invoice being finalized, inside
// its transaction, and records what each line got.
func (s *Service) drawCredits(tx *gorm.DB, inv *Invoice, now time.Time) error {
	if !drawsCredit(*inv) {
		applyDraws(inv, nil)
		return nil
	}
	draws, err := s.credits.DrawTx(tx, inv.TenantID, inv.CustomerID, inv.ID, inv.Currency, creditLines(*inv), inv.Period.End, now)
	if err != nil {
		return err
	}
	applyDraws(inv, draws)
	for i, l := range inv.Lines {
		if l.CreditsApplied.IsZero() && l.CreditUnits.IsZero() {
			continue
		}
		if err := tx.Model(&lineRow{}).Where("invoice_id = ? AND position = ?", inv.ID, i).
			Updates(map[string]any{"credits_applied": l.CreditsApplied, "credit_units": l.CreditUnits}).Error; err != nil {
			return fmt.Errorf("record line credit: %w", err)
		}
	}
	return nil
}

// settleCredits follows an invoice's move to status to, inside its
// transaction: a void gives back what it drew and voids what is left of
// the grants it sold; a payment makes the grants it sold usable.
func (s *Service) settleCredits(tx *gorm.DB, invoiceID string, to Status, now time.Time) error {
	switch to {
	case Void:
		if err := s.credits.ReleaseTx(tx, invoiceID, now); err != nil {
			return err
		}
		return s.credits.VoidPurchaseTx(tx, invoiceID, now)
	case Paid:
		return s.credits.ActivateTx(tx, invoiceID, now)
	}
	return nil
}
