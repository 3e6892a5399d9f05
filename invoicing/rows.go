package invoicing

import (
	"encoding/json"
	"fmt"
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

// corruptRow is the error for a stored value the code cannot read: it names
// the table, the row and the column, so an operator can find and fix it.
func corruptRow(table, id, column string, err error) error {
	return fmt.Errorf("corrupt stored data in %s row %s, column %s: %w", table, id, column, err)
}

func parseDec(s *string) (*decimal.Decimal, error) {
	if s == nil {
		return nil, nil
	}
	d, err := decimal.NewFromString(*s)
	if err != nil {
		return nil, err
	}
	return &d, nil
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

// fromRows builds an invoice from its stored row and lines; stored values it
// cannot read (unknown status or reason, malformed tier JSON or decimals) are
// an error naming the table, row and column.
func fromRows(r invoiceRow, lines []lineRow) (Invoice, error) {
	inv := Invoice{ID: r.ID, TenantID: r.TenantID, Number: r.Number, Status: Status(r.Status), BillingReason: Reason(r.BillingReason),
		CustomerID: r.CustomerID, Currency: domain.Currency(r.Currency),
		Period: domain.Period{Start: fromMicros(r.PeriodStart), End: fromMicros(r.PeriodEnd)}, Subtotal: r.Subtotal,
		CreditsApplied: r.CreditsApplied, Total: r.Total, Note: r.Note, StripeInvoiceID: r.StripeInvoiceID, StripeSyncError: r.StripeSyncError,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), FinalizedAt: utcPtr(r.FinalizedAt), Lines: make([]Line, len(lines))}
	switch inv.Status {
	case Proposed, Draft, Finalized, Paid, Void, Uncollectible:
	default:
		return Invoice{}, corruptRow("invoices", r.ID, "status", fmt.Errorf("unknown status %q", r.Status))
	}
	switch inv.BillingReason {
	case SubscriptionStart, Cycle, Cancel, PlanChange, Manual:
	default:
		return Invoice{}, corruptRow("invoices", r.ID, "billing_reason", fmt.Errorf("unknown billing reason %q", r.BillingReason))
	}
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
		tiers, err := tierLines(lr.Tiers)
		if err != nil {
			return Invoice{}, corruptRow("invoice_lines", fmt.Sprintf("%s/%d", lr.InvoiceID, lr.Position), "tiers", err)
		}
		l.Tiers = tiers
		inv.Lines[i] = l
	}
	return inv, nil
}

// tierLines reads a line's stored tiers: "null" (or empty) for none, else a
// JSON array of tierDoc.
func tierLines(stored string) ([]rating.TierLine, error) {
	if stored == "" || stored == "null" {
		return nil, nil
	}
	var docs []tierDoc
	if err := json.Unmarshal([]byte(stored), &docs); err != nil {
		return nil, err
	}
	if docs == nil {
		return nil, nil
	}
	out := make([]rating.TierLine, len(docs))
	for k, d := range docs {
		t := rating.TierLine{Tier: d.Tier}
		var err error
		if t.From, err = parseDec(d.From); err != nil {
			return nil, fmt.Errorf("tier %d from: %w", k, err)
		}
		if t.UpTo, err = parseDec(d.UpTo); err != nil {
			return nil, fmt.Errorf("tier %d up_to: %w", k, err)
		}
		for _, f := range []struct {
			name string
			text string
			dst  *decimal.Decimal
		}{{"quantity", d.Quantity, &t.Quantity}, {"unit_amount", d.UnitAmount, &t.UnitAmount},
			{"flat_amount", d.FlatAmount, &t.FlatAmount}, {"amount", d.Amount, &t.Amount}} {
			v, err := decimal.NewFromString(f.text)
			if err != nil {
				return nil, fmt.Errorf("tier %d %s: %w", k, f.name, err)
			}
			*f.dst = v
		}
		out[k] = t
	}
	return out, nil
}
