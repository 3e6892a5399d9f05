package credits

import (
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
)

// Grant is one prepaid credit grant.
type Grant struct {
	ID             string
	TenantID       string
	CustomerID     string
	Name           string
	Unit           string          // the currency code, or a custom unit
	ConversionRate decimal.Decimal // currency value of one unit (1 for the currency itself)
	Amount         decimal.Decimal // granted, in Unit
	Remaining      decimal.Decimal // left, in Unit
	Priority       int
	ExpiresAt      *time.Time
	CreatedAt      time.Time
	VoidedAt       *time.Time
}

// Usable reports whether the grant can pay an invoice at t.
func (g Grant) Usable(t time.Time) bool {
	return g.VoidedAt == nil && g.Remaining.IsPositive() && (g.ExpiresAt == nil || t.Before(*g.ExpiresAt))
}

// Value is what the remaining units are worth in the currency.
func (g Grant) Value() decimal.Decimal { return g.Remaining.Mul(g.ConversionRate) }

// CreateInput is what POST /v1/customers/{id}/credit_grants takes. Unit
// defaults to the customer's currency (rate 1); a custom unit needs its
// conversion_rate. Priority defaults to 1.
type CreateInput struct {
	Name           string
	Amount         *decimal.Decimal
	Unit           string
	ConversionRate *decimal.Decimal
	Priority       *int
	ExpiresAt      *time.Time
}

// validate checks the input against the customer's currency and now.
func (in CreateInput) validate(cur domain.Currency, now time.Time) (unit string, rate decimal.Decimal, err error) {
	var p domain.Problems
	switch {
	case in.Amount == nil:
		p.Add("amount", "is required")
	case !in.Amount.IsPositive():
		p.Add("amount", "must be greater than zero")
	}
	unit = strings.TrimSpace(in.Unit)
	rate = decimal.NewFromInt(1)
	if unit == "" || strings.EqualFold(unit, string(cur)) {
		unit = string(cur)
		if in.ConversionRate != nil && !in.ConversionRate.Equal(rate) {
			p.Add("conversion_rate", "a grant in the customer's currency (%s) has rate 1", cur)
		}
	} else if _, isCurrency := domain.ParseCurrency(unit); isCurrency {
		p.Add("unit", "%s is not the customer's currency (%s); use it or a custom unit such as credits", unit, cur)
	} else if in.ConversionRate == nil || !in.ConversionRate.IsPositive() {
		p.Add("conversion_rate", "is required for the custom unit %q: the %s value of one unit, greater than zero", unit, cur)
	} else {
		rate = *in.ConversionRate
	}
	if in.Priority != nil && (*in.Priority < 1 || *in.Priority > 100) {
		p.Add("priority", "must be between 1 and 100")
	}
	if in.ExpiresAt != nil && !in.ExpiresAt.After(now) {
		p.Add("expires_at", "must lie in the future")
	}
	return unit, rate, p.Err()
}
