package credits

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

type grantRow struct {
	ID                string `gorm:"primaryKey"`
	TenantID          string
	CustomerID        string
	Name              string
	Unit              string
	ConversionRate    decimal.Decimal
	Amount            decimal.Decimal
	Remaining         decimal.Decimal
	Priority          int
	AppliesTo         string
	ExpiresAt         *int64
	UsableAt          *int64
	Price             decimal.NullDecimal
	PurchaseInvoiceID *string
	CreatedAt         time.Time
	VoidedAt          *time.Time
}

func (grantRow) TableName() string { return "credit_grants" }

func microsPtr(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	us := t.UnixMicro()
	return &us
}

func timePtr(us *int64) *time.Time {
	if us == nil {
		return nil
	}
	t := time.UnixMicro(*us).UTC()
	return &t
}

// toGrant builds a grant from its stored row; a stored value it cannot read
// (an unknown applies_to) is an error naming the table, the row and the
// column.
func (r grantRow) toGrant() (Grant, error) {
	g := Grant{ID: r.ID, TenantID: r.TenantID, CustomerID: r.CustomerID, Name: r.Name, Unit: r.Unit, ConversionRate: r.ConversionRate,
		Amount: r.Amount, Remaining: r.Remaining, Priority: r.Priority, AppliesTo: AppliesTo(r.AppliesTo), CreatedAt: r.CreatedAt.UTC(),
		ExpiresAt: timePtr(r.ExpiresAt), UsableAt: timePtr(r.UsableAt)}
	switch g.AppliesTo {
	case "":
		g.AppliesTo = AppliesAll
	case AppliesAll, AppliesUsage:
	default:
		return Grant{}, corruptRow("credit_grants", r.ID, "applies_to", fmt.Errorf("unknown value %q", r.AppliesTo))
	}
	if r.Price.Valid {
		p := r.Price.Decimal
		g.Price = &p
	}
	if r.PurchaseInvoiceID != nil {
		g.PurchaseInvoiceID = *r.PurchaseInvoiceID
	}
	if r.VoidedAt != nil {
		t := r.VoidedAt.UTC()
		g.VoidedAt = &t
	}
	return g, nil
}

// corruptRow is the error for a stored value the code cannot read: it names
// the table, the row and the column, so an operator can find and fix it.
func corruptRow(table, id, column string, err error) error {
	return fmt.Errorf("corrupt stored data in %s row %s, column %s: %w", table, id, column, err)
}

// applicationRow is what one finalized invoice drew from one grant (deleted
// when the invoice is voided and the draw released).
type applicationRow struct {
	InvoiceID string `gorm:"primaryKey"`
	GrantID   string `gorm:"primaryKey"`
	Units     decimal.Decimal
	Amount    decimal.Decimal
	CreatedAt time.Time
}

func (applicationRow) TableName() string { return "credit_applications" }

// ledgerRow is one append-only ledger entry; units and amount are signed.
type ledgerRow struct {
	ID         string `gorm:"primaryKey"`
	TenantID   string
	CustomerID string
	GrantID    string
	Unit       string
	Kind       string
	InvoiceID  *string
	Units      decimal.Decimal
	Amount     decimal.NullDecimal
	At         int64
	CreatedAt  time.Time
}

func (ledgerRow) TableName() string { return "credit_ledger" }
