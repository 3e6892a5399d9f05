package invoicing

import (
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/plans"
	"github.com/tallyhq/tally/plans/rating"
)

// Status is where an invoice is in its lifecycle.
type Status string

const (
	Proposed      Status = "proposed"
	Draft         Status = "draft"
	Finalized     Status = "finalized"
	Paid          Status = "paid"
	Void          Status = "void"
	Uncollectible Status = "uncollectible"
)

// Reason says why an invoice exists.
type Reason string

const (
	// SubscriptionStart invoices hold the first period's advance fees.
	SubscriptionStart Reason = "subscription_start"
	// Cycle invoices close a period: its usage and arrear fees, plus the
	// next period's advance fees.
	Cycle Reason = "cycle"
	// Cancel invoices are issued when a subscription is canceled now.
	Cancel Reason = "cancel"
	// PlanChange invoices are issued when a subscription changes plan now.
	PlanChange Reason = "plan_change"
	// Manual invoices are made by hand.
	Manual Reason = "manual"
)

// Invoice is one invoice of one subscription for one period, or a credit
// purchase (BillingReason Manual, SubscriptionID "", a zero-length period
// at the purchase).
type Invoice struct {
	ID             string
	TenantID       string
	Number         *string
	Status         Status
	BillingReason  Reason
	CustomerID     string
	SubscriptionID string
	Currency       domain.Currency
	Period         domain.Period
	Lines          []Line
	Subtotal       decimal.Decimal
	CreditsApplied decimal.Decimal
	Total          decimal.Decimal
	// Note says, in words, anything unusual about the invoice (a trial, an
	// end), so that a reader of an empty invoice knows why.
	Note            string
	StripeInvoiceID *string
	// StripeSyncError says why the invoice cannot be sent to Stripe (an
	// amount Stripe cannot take); nil when it can. Recomputing or
	// finalizing the invoice clears it.
	StripeSyncError *string
	// RunID is the invoice run that drafted the invoice, if any.
	RunID string
	// Replaces names the void invoice this one was regenerated from;
	// ReplacedBy, on a void invoice, the one that replaced it.
	Replaces    string
	ReplacedBy  string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	FinalizedAt *time.Time
}

// Line is one priced line.
type Line struct {
	PriceKey    string
	Type        plans.PriceType
	Meter       string // usage lines: the meter key
	Description string
	Quantity    decimal.Decimal
	Amount      decimal.Decimal
	Period      domain.Period
	Proration   *rating.Proration // nil unless prorated
	Tiers       []rating.TierLine // nil unless tiered
	// PriceUnit is the price's custom unit ("credits"), "" when priced in
	// the currency; then UnitAmount is the line's amount in that unit (6
	// places, before conversion) and ConversionRate the price's rate.
	PriceUnit      string
	UnitAmount     decimal.Decimal
	ConversionRate *decimal.Decimal
	// CreditsApplied is the currency value prepaid credit paid of the line
	// (finalized invoices; what it would pay on a proposed one), and
	// CreditUnits the PriceUnit units drawn from grants in that unit.
	CreditsApplied decimal.Decimal
	CreditUnits    decimal.Decimal
}

// total sums the rounded lines.
func (inv *Invoice) total() {
	sum := decimal.Zero
	for _, l := range inv.Lines {
		sum = sum.Add(l.Amount)
	}
	inv.Subtotal = inv.Currency.Round(sum)
	inv.Total = inv.Subtotal.Sub(inv.CreditsApplied)
}
