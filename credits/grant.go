package credits

import (
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
)

// AppliesTo says which invoice lines a grant may pay.
type AppliesTo string

const (
	// AppliesUsage (the default, as Stripe's credit grants): usage lines only.
	AppliesUsage AppliesTo = "usage"
	// AppliesAll: any line, fixed fees included.
	AppliesAll AppliesTo = "all"
)

// Usability says when a purchased grant's credits can be drawn.
type Usability string

const (
	// OnPayment (the default for paid grants, as Lago's purchased wallet
	// credits, which stay pending until their invoice is paid): usable once
	// the purchase invoice is paid.
	OnPayment Usability = "on_payment"
	// Immediately: usable from the purchase on, paid or not.
	Immediately Usability = "immediately"
)

// UnitPlaces is how many decimal places custom-unit amounts show
// ("750.000000"), as custom-unit invoice lines keep (pricing.md,
// Arithmetic).
const UnitPlaces = 6

// Grant is one prepaid credit grant.
//
// Remaining is what finalized invoices have left of it (drafts and open
// periods are not subtracted; see Balance). It is not zeroed when the grant
// is voided or expires: a voided or expired grant is simply never drawn
// again, and what it held then is what the ledger shows as voided or expired.
type Grant struct {
	ID             string
	TenantID       string
	CustomerID     string
	Name           string
	Unit           string          // the currency code, or a custom unit
	ConversionRate decimal.Decimal // currency value of one unit (1 for the currency itself)
	Amount         decimal.Decimal // granted, in Unit
	Remaining      decimal.Decimal // left after finalized draws, in Unit
	Priority       int
	AppliesTo      AppliesTo
	ExpiresAt      *time.Time
	// UsableAt is when the credits became drawable; nil while a purchase
	// invoice with usable on_payment is unpaid.
	UsableAt *time.Time
	// Price and PurchaseInvoiceID are set for a paid grant.
	Price             *decimal.Decimal
	PurchaseInvoiceID string
	CreatedAt         time.Time
	VoidedAt          *time.Time
}

// IsMoney reports whether the grant is in the currency cur (not a custom
// unit).
func (g Grant) IsMoney(cur domain.Currency) bool { return g.Unit == string(cur) }

// ExpiredAt reports whether the grant has expired at t (t at or after
// expires_at).
func (g Grant) ExpiredAt(t time.Time) bool { return g.ExpiresAt != nil && !t.Before(*g.ExpiresAt) }

// Usable reports whether the grant can pay now: paid for (or free), not
// voided, something left and not expired at t.
func (g Grant) Usable(t time.Time) bool {
	return g.UsableAt != nil && g.VoidedAt == nil && g.Remaining.IsPositive() && !g.ExpiredAt(t)
}

// PaysPeriodEnding reports whether the grant may pay an invoice closing a
// period that ends at end: it is usable and has not expired by then. A
// grant whose expires_at falls inside the period pays nothing of it (as
// Lago's wallets); one expiring exactly at the end still covered every
// instant of the half-open period and pays it.
func (g Grant) PaysPeriodEnding(end time.Time) bool {
	return g.UsableAt != nil && g.VoidedAt == nil && g.Remaining.IsPositive() && (g.ExpiresAt == nil || !end.After(*g.ExpiresAt))
}

// Value is what the remaining units are worth in the currency.
func (g Grant) Value() decimal.Decimal { return g.Remaining.Mul(g.ConversionRate) }

// CreateInput is what POST /v1/customers/{id}/credit_grants takes. Unit
// defaults to the customer's currency (rate 1); a custom unit needs its
// conversion_rate. Priority defaults to 1, AppliesTo to usage. A paid grant
// (Paid, with Price in the currency) is a purchase: invoicing issues its
// invoice, and Usable (default on_payment) says when the credits can be
// drawn. A free grant takes neither price nor usable.
type CreateInput struct {
	Name           string
	Amount         *decimal.Decimal
	Unit           string
	ConversionRate *decimal.Decimal
	Priority       *int
	ExpiresAt      *time.Time
	AppliesTo      string
	Paid           bool
	Price          *decimal.Decimal
	Usable         string
}

// spec is a validated CreateInput.
type spec struct {
	name      string
	unit      string
	rate      decimal.Decimal
	amount    decimal.Decimal
	priority  int
	appliesTo AppliesTo
	expiresAt *time.Time
	price     *decimal.Decimal
	usable    Usability
}

// validate checks the input against the customer's currency and now,
// collecting every problem with its field.
func (in CreateInput) validate(cur domain.Currency, now time.Time) (spec, error) {
	var p domain.Problems
	sp := spec{name: strings.TrimSpace(in.Name), priority: 1, appliesTo: AppliesUsage, expiresAt: in.ExpiresAt}
	switch {
	case in.Amount == nil:
		p.Add("amount", "is required")
	case !in.Amount.IsPositive():
		p.Add("amount", "must be greater than zero")
	default:
		sp.amount = *in.Amount
	}
	sp.unit = strings.TrimSpace(in.Unit)
	sp.rate = decimal.NewFromInt(1)
	if sp.unit == "" || strings.EqualFold(sp.unit, string(cur)) {
		sp.unit = string(cur)
		if in.ConversionRate != nil && !in.ConversionRate.Equal(sp.rate) {
			p.Add("conversion_rate", "a grant in the customer's currency (%s) has rate 1", cur)
		}
		if in.Amount != nil && in.Amount.IsPositive() && !cur.Round(*in.Amount).Equal(*in.Amount) {
			p.Add("amount", "%s has %d decimal places", cur, cur.MinorUnits())
		}
	} else if _, isCurrency := domain.ParseCurrency(sp.unit); isCurrency {
		p.Add("unit", "%s is not the customer's currency (%s); use it or a custom unit such as credits", sp.unit, cur)
	} else {
		if in.ConversionRate == nil || !in.ConversionRate.IsPositive() {
			p.Add("conversion_rate", "is required for the custom unit %q: the %s value of one unit, greater than zero", sp.unit, cur)
		} else {
			sp.rate = *in.ConversionRate
		}
		if in.Amount != nil && in.Amount.IsPositive() && !in.Amount.Round(UnitPlaces).Equal(*in.Amount) {
			p.Add("amount", "custom units keep at most %d decimal places", UnitPlaces)
		}
	}
	if in.Priority != nil {
		if *in.Priority < 1 || *in.Priority > 100 {
			p.Add("priority", "must be between 1 and 100")
		}
		sp.priority = *in.Priority
	}
	switch AppliesTo(strings.TrimSpace(in.AppliesTo)) {
	case "", AppliesUsage:
	case AppliesAll:
		sp.appliesTo = AppliesAll
	default:
		p.Add("applies_to", "must be usage or all")
	}
	if in.ExpiresAt != nil && !in.ExpiresAt.After(now) {
		p.Add("expires_at", "must lie in the future")
	}
	if in.Paid {
		sp.usable = OnPayment
		switch {
		case in.Price == nil:
			p.Add("price", "is required for a paid grant")
		case !in.Price.IsPositive():
			p.Add("price", "must be greater than zero")
		case !cur.Round(*in.Price).Equal(*in.Price):
			p.Add("price", "%s has %d decimal places", cur, cur.MinorUnits())
		default:
			pr := *in.Price
			sp.price = &pr
		}
		switch Usability(strings.TrimSpace(in.Usable)) {
		case "", OnPayment:
		case Immediately:
			sp.usable = Immediately
		default:
			p.Add("usable", "must be on_payment or immediately")
		}
	} else {
		if in.Price != nil {
			p.Add("price", "only a paid grant has a price (set paid: true)")
		}
		if strings.TrimSpace(in.Usable) != "" {
			p.Add("usable", "only a paid grant waits for payment (set paid: true)")
		}
	}
	if sp.name == "" {
		sp.name = "Prepaid credit"
		if in.Paid {
			sp.name = "Credit purchase"
		}
	}
	return sp, p.Err()
}
