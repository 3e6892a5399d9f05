package invoicing

import (
	"time"

	"github.com/tallyhq/tally/webhooks"
	"gorm.io/gorm"
)

// Outbox records an outbound webhook event inside the transaction of the
// change it reports (webhooks.Service.EmitTx): a change that rolls back
// reports nothing, one that commits is never lost. A nil Outbox reports
// nothing.
type Outbox interface {
	EmitTx(tx *gorm.DB, tenantID string, e webhooks.Event) (string, error)
}

// InvoiceData is the "data" of the invoice.* events: the invoice's
// identity, state and totals (amounts in the currency's minor-unit
// precision, times RFC 3339 in UTC). Read the invoice for its lines.
type InvoiceData struct {
	ID             string  `json:"id"`
	Number         *string `json:"number"`
	Status         string  `json:"status"`
	BillingReason  string  `json:"billing_reason"`
	CustomerID     string  `json:"customer_id"`
	SubscriptionID *string `json:"subscription_id"`
	Currency       string  `json:"currency"`
	PeriodStart    string  `json:"period_start"`
	PeriodEnd      string  `json:"period_end"`
	Subtotal       string  `json:"subtotal"`
	CreditsApplied string  `json:"credits_applied"`
	Total          string  `json:"total"`
}

func invoiceData(inv Invoice) InvoiceData {
	d := InvoiceData{ID: inv.ID, Number: inv.Number, Status: string(inv.Status), BillingReason: string(inv.BillingReason), CustomerID: inv.CustomerID,
		Currency: string(inv.Currency), PeriodStart: inv.Period.Start.UTC().Format(time.RFC3339Nano), PeriodEnd: inv.Period.End.UTC().Format(time.RFC3339Nano),
		Subtotal: inv.Currency.Format(inv.Subtotal), CreditsApplied: inv.Currency.Format(inv.CreditsApplied), Total: inv.Currency.Format(inv.Total)}
	if inv.SubscriptionID != "" {
		d.SubscriptionID = &inv.SubscriptionID
	}
	return d
}

// EmitInvoiceTx reports an invoice event (webhooks.Invoice*) of inv inside
// tx; stripesync uses it for invoice.payment_failed.
func (s *Service) EmitInvoiceTx(tx *gorm.DB, typ string, inv Invoice) error {
	return s.emitTx(tx, inv.TenantID, webhooks.Event{Type: typ, CustomerID: inv.CustomerID, Data: invoiceData(inv)})
}

func (s *Service) emitTx(tx *gorm.DB, tenantID string, e webhooks.Event) error {
	if s.outbox == nil {
		return nil
	}
	_, err := s.outbox.EmitTx(tx, tenantID, e)
	return err
}

// SubscriptionData is the "data" of subscription.canceled and
// subscription.plan_changed: ends_at is when the subscription ends (now,
// its period's end or a set time); plan and new_plan are plan keys
// (new_plan only for a plan change).
type SubscriptionData struct {
	SubscriptionID string `json:"subscription_id"`
	CustomerID     string `json:"customer_id"`
	Plan           string `json:"plan"`
	NewPlan        string `json:"new_plan,omitempty"`
	EndsAt         string `json:"ends_at"`
	Prorate        bool   `json:"prorate"`
}
