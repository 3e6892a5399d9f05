package invoicing

import (
	"context"
	"fmt"

	"github.com/tallyhq/tally/credits"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/plans"
	"github.com/tallyhq/tally/webhooks"
	"gorm.io/gorm"
)

// PurchaseCredits sells a paid grant (in.Paid, in.Price): one transaction
// stores the grant and its invoice — billing_reason manual, no
// subscription, a zero-length period at the purchase, one fixed line of the
// price — as a draft that goes through the normal lifecycle (finalize and
// number, Stripe sync, paid or void). The credits become usable when the
// invoice is paid (usable on_payment, the default, as Lago's purchased
// wallet credits) or at once (usable immediately); voiding the invoice
// voids what is left of them. Prepaid credit never pays a purchase.
func (s *Service) PurchaseCredits(ctx context.Context, tenantID, customerID string, in credits.CreateInput) (credits.Grant, Invoice, error) {
	cu, err := s.customers.Get(ctx, tenantID, customerID)
	if err != nil {
		return credits.Grant{}, Invoice{}, err
	}
	if !in.Paid {
		return credits.Grant{}, Invoice{}, domain.Invalid("paid", "a purchase is a paid grant")
	}
	now := s.clock.Now(ctx)
	if err := credits.Validate(in, cu.Currency, now); err != nil {
		return credits.Grant{}, Invoice{}, err
	}
	unit := in.Unit
	if unit == "" {
		unit = string(cu.Currency)
	}
	price := cu.Currency.Round(*in.Price)
	inv := Invoice{ID: domain.NewID("inv"), TenantID: tenantID, Status: Draft, BillingReason: Manual, CustomerID: cu.ID, Currency: cu.Currency,
		Period: domain.Period{Start: now, End: now}, CreatedAt: now,
		Lines: []Line{{PriceKey: "credit_purchase", Type: plans.Fixed, Description: fmt.Sprintf("%s %s of prepaid credit", in.Amount.String(), unit),
			Quantity: *in.Amount, Amount: price, Period: domain.Period{Start: now, End: now}}},
		Note: "purchase of prepaid credit"}
	inv.total()
	var g credits.Grant
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		r, lines := toRows(inv)
		if err := tx.Create(&r).Error; err != nil {
			return fmt.Errorf("store purchase invoice: %w", err)
		}
		if err := tx.Create(&lines).Error; err != nil {
			return fmt.Errorf("store purchase invoice: %w", err)
		}
		var err error
		if g, err = s.credits.CreateTx(tx, tenantID, cu.ID, cu.Currency, in, now, inv.ID); err != nil {
			return err
		}
		return s.EmitInvoiceTx(tx, webhooks.InvoiceCreated, inv)
	})
	s.changed(tenantID, cu.ID)
	if err != nil {
		return credits.Grant{}, Invoice{}, err
	}
	stored, err := s.Get(ctx, tenantID, inv.ID)
	return g, stored, err
}
