package invoicing

import (
	"encoding/json"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/plans"
	"github.com/tallyhq/tally/plans/rating"
)

type invoiceRow struct {
	ID              string `gorm:"primaryKey"`
	TenantID        string
	Number          *string
	Status          string
	BillingReason   string
	CustomerID      string
	SubscriptionID  *string // NULL for a credit purchase
	Currency        string
	PeriodStart     int64
	PeriodEnd       int64
	Subtotal        decimal.Decimal
	CreditsApplied  decimal.Decimal
	Total           decimal.Decimal
	Note            string
	RunID           *string
	StripeInvoiceID *string
	StripeSyncedAt  *time.Time
	StripeSyncError *string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	FinalizedAt     *time.Time
	Replaces        *string
	ReplacedBy      *string
}

func (invoiceRow) TableName() string { return "invoices" }

type lineRow struct {
	InvoiceID       string `gorm:"primaryKey"`
	Position        int    `gorm:"primaryKey"`
	PriceKey        string
	Type            string
	Meter           string
	Description     string
	Quantity        decimal.Decimal
	Amount          decimal.Decimal
	PeriodStart     int64
	PeriodEnd       int64
	ProrationDays   *int
	ProrationOfDays *int
	Tiers           string
	PriceUnit       string
	UnitAmount      decimal.NullDecimal
	ConversionRate  decimal.NullDecimal
	CreditsApplied  decimal.Decimal
	CreditUnits     decimal.Decimal
}

func (lineRow) TableName() string { return "invoice_lines" }

// tierDoc is a stored tier line; decimals as strings.
type tierDoc struct {
	Tier       int     `json:"tier"`
	From       *string `json:"from"`
	UpTo       *string `json:"up_to"`
	Quantity   string  `json:"quantity"`
	UnitAmount string  `json:"unit_amount"`
	FlatAmount string  `json:"flat_amount"`
	Amount     string  `json:"amount"`
}

// nullable stores "" as NULL.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

func decString(d *decimal.Decimal) *string {
	if d == nil {
		return nil
	}
	s := d.String()
	return &s
}

func parseDec(s *string) *decimal.Decimal {
	if s == nil {
		return nil
	}
	d, err := decimal.NewFromString(*s)
	if err != nil {
		return nil
	}
	return &d
}

func toRows(inv Invoice) (invoiceRow, []lineRow) {
	r := invoiceRow{ID: inv.ID, TenantID: inv.TenantID, Number: inv.Number, Status: string(inv.Status), BillingReason: string(inv.BillingReason),
		CustomerID: inv.CustomerID, SubscriptionID: nullable(inv.SubscriptionID), Currency: string(inv.Currency),
		PeriodStart: micros(inv.Period.Start), PeriodEnd: micros(inv.Period.End), Subtotal: inv.Subtotal, CreditsApplied: inv.CreditsApplied,
		Total: inv.Total, Note: inv.Note, StripeInvoiceID: inv.StripeInvoiceID, CreatedAt: inv.CreatedAt, UpdatedAt: inv.CreatedAt, FinalizedAt: inv.FinalizedAt}
	if inv.RunID != "" {
		id := inv.RunID
		r.RunID = &id
	}
	if inv.Replaces != "" {
		id := inv.Replaces
		r.Replaces = &id
	}
	lines := make([]lineRow, len(inv.Lines))
	for i, l := range inv.Lines {
		tiers := "null"
		if l.Tiers != nil {
			docs := make([]tierDoc, len(l.Tiers))
			for k, t := range l.Tiers {
				docs[k] = tierDoc{Tier: t.Tier, From: decString(t.From), UpTo: decString(t.UpTo), Quantity: t.Quantity.String(),
					UnitAmount: t.UnitAmount.String(), FlatAmount: t.FlatAmount.String(), Amount: t.Amount.String()}
			}
			b, _ := json.Marshal(docs)
			tiers = string(b)
		}
		lr := lineRow{InvoiceID: inv.ID, Position: i, PriceKey: l.PriceKey, Type: string(l.Type), Meter: l.Meter, Description: l.Description,
			Quantity: l.Quantity, Amount: l.Amount, PeriodStart: micros(l.Period.Start), PeriodEnd: micros(l.Period.End), Tiers: tiers,
			PriceUnit: l.PriceUnit, CreditsApplied: l.CreditsApplied, CreditUnits: l.CreditUnits}
		if l.PriceUnit != "" {
			lr.UnitAmount = decimal.NewNullDecimal(l.UnitAmount)
		}
		if l.ConversionRate != nil {
			lr.ConversionRate = decimal.NewNullDecimal(*l.ConversionRate)
		}
		if l.Proration != nil {
			d, of := l.Proration.Days, l.Proration.OfDays
			lr.ProrationDays, lr.ProrationOfDays = &d, &of
		}
		lines[i] = lr
	}
	return r, lines
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func fromRows(r invoiceRow, lines []lineRow) Invoice {
	inv := Invoice{ID: r.ID, TenantID: r.TenantID, Number: r.Number, Status: Status(r.Status), BillingReason: Reason(r.BillingReason),
		CustomerID: r.CustomerID, Currency: domain.Currency(r.Currency),
		Period: domain.Period{Start: fromMicros(r.PeriodStart), End: fromMicros(r.PeriodEnd)}, Subtotal: r.Subtotal,
		CreditsApplied: r.CreditsApplied, Total: r.Total, Note: r.Note, StripeInvoiceID: r.StripeInvoiceID, StripeSyncError: r.StripeSyncError,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), FinalizedAt: utcPtr(r.FinalizedAt), Lines: make([]Line, len(lines))}
	if r.RunID != nil {
		inv.RunID = *r.RunID
	}
	if r.Replaces != nil {
		inv.Replaces = *r.Replaces
	}
	if r.ReplacedBy != nil {
		inv.ReplacedBy = *r.ReplacedBy
	}
	if r.SubscriptionID != nil {
		inv.SubscriptionID = *r.SubscriptionID
	}
	for i, lr := range lines {
		l := Line{PriceKey: lr.PriceKey, Type: plans.PriceType(lr.Type), Meter: lr.Meter, Description: lr.Description, Quantity: lr.Quantity,
			Amount: lr.Amount, Period: domain.Period{Start: fromMicros(lr.PeriodStart), End: fromMicros(lr.PeriodEnd)},
			PriceUnit: lr.PriceUnit, UnitAmount: lr.UnitAmount.Decimal, CreditsApplied: lr.CreditsApplied, CreditUnits: lr.CreditUnits}
		if lr.ConversionRate.Valid {
			rate := lr.ConversionRate.Decimal
			l.ConversionRate = &rate
		}
		if lr.ProrationDays != nil && lr.ProrationOfDays != nil {
			l.Proration = &rating.Proration{Days: *lr.ProrationDays, OfDays: *lr.ProrationOfDays}
		}
		var docs []tierDoc
		if err := json.Unmarshal([]byte(lr.Tiers), &docs); err == nil && docs != nil {
			l.Tiers = make([]rating.TierLine, len(docs))
			for k, d := range docs {
				l.Tiers[k] = rating.TierLine{Tier: d.Tier, From: parseDec(d.From), UpTo: parseDec(d.UpTo), Quantity: decimal.RequireFromString(d.Quantity),
					UnitAmount: decimal.RequireFromString(d.UnitAmount), FlatAmount: decimal.RequireFromString(d.FlatAmount), Amount: decimal.RequireFromString(d.Amount)}
			}
		}
		inv.Lines[i] = l
	}
	return inv
}
