package stripesync

import "time"

type customerRow struct {
	CustomerID       string `gorm:"primaryKey"`
	TenantID         string
	StripeCustomerID string
	CreatedAt        time.Time
}

func (customerRow) TableName() string { return "stripe_customers" }

type invoiceRow struct {
	InvoiceID       string `gorm:"primaryKey"`
	TenantID        string
	StripeInvoiceID *string
	Pending         bool
	FinalizedAt     *time.Time
	SettledAt       *time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

func (invoiceRow) TableName() string { return "stripe_invoices" }

type itemRow struct {
	InvoiceID    string `gorm:"primaryKey"`
	Position     int    `gorm:"primaryKey"`
	StripeItemID string
	AmountMinor  int64
	Description  string
	Generation   int
	Revision     int
	Dirty        bool
	UpdatedAt    time.Time
}

func (itemRow) TableName() string { return "stripe_invoice_items" }

type eventRow struct {
	ID         string `gorm:"primaryKey"`
	Type       string
	ReceivedAt time.Time
}

func (eventRow) TableName() string { return "stripe_events" }

// PaymentFailure is one invoice.payment_failed event of an invoice.
type PaymentFailure struct {
	EventID         string `gorm:"primaryKey"`
	TenantID        string
	InvoiceID       string
	StripeInvoiceID string
	AttemptCount    int
	AmountDueMinor  int64
	NextAttemptAt   *time.Time
	ReceivedAt      time.Time
}

func (PaymentFailure) TableName() string { return "stripe_payment_failures" }
