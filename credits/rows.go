package credits

import (
	"time"

	"github.com/shopspring/decimal"
)

type grantRow struct {
	ID             string `gorm:"primaryKey"`
	TenantID       string
	CustomerID     string
	Name           string
	Unit           string
	ConversionRate decimal.Decimal
	Amount         decimal.Decimal
	Remaining      decimal.Decimal
	Priority       int
	ExpiresAt      *int64
	CreatedAt      time.Time
	VoidedAt       *time.Time
}

func (grantRow) TableName() string { return "credit_grants" }

func (r grantRow) toGrant() Grant {
	g := Grant{ID: r.ID, TenantID: r.TenantID, CustomerID: r.CustomerID, Name: r.Name, Unit: r.Unit, ConversionRate: r.ConversionRate,
		Amount: r.Amount, Remaining: r.Remaining, Priority: r.Priority, CreatedAt: r.CreatedAt.UTC()}
	if r.ExpiresAt != nil {
		t := time.UnixMicro(*r.ExpiresAt).UTC()
		g.ExpiresAt = &t
	}
	if r.VoidedAt != nil {
		t := r.VoidedAt.UTC()
		g.VoidedAt = &t
	}
	return g
}

type applicationRow struct {
	InvoiceID string `gorm:"primaryKey"`
	GrantID   string `gorm:"primaryKey"`
	Units     decimal.Decimal
	Amount    decimal.Decimal
	CreatedAt time.Time
}

func (applicationRow) TableName() string { return "credit_applications" }
