package customers

import (
	"net/mail"
	"strings"
	"time"

	"github.com/tallyhq/tally/calendar"
	"github.com/tallyhq/tally/domain"
)

// Customer is one of a tenant's customers.
type Customer struct {
	ID         string
	TenantID   string
	ExternalID string
	Name       string
	Email      string
	Currency   domain.Currency
	Timezone   string
	// TimezoneChanges are the changes of Timezone so far, oldest first
	// (filled by Get).
	TimezoneChanges []TimezoneChange
	// LowCreditThreshold is the customer's own credits.low level; its zero
	// value falls back to the tenant's default (tenants.Settings).
	LowCreditThreshold domain.LowCreditThreshold
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// Location is the customer's time zone (UTC when unset).
func (c Customer) Location() *time.Location {
	loc, err := calendar.LoadLocation(c.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// CreateInput is what POST /v1/customers takes; external_id and currency
// are required, timezone defaults to UTC.
type CreateInput struct {
	ExternalID string
	Name       string
	Email      string
	Currency   string
	Timezone   string
	// LowCreditThreshold, if set, is the customer's credits.low level.
	LowCreditThreshold *domain.LowCreditThreshold
}

// UpdateInput is what PATCH /v1/customers/{id} takes; nil fields stay. The
// external_id cannot change (events refer to it); the currency cannot change
// once the customer has a subscription.
type UpdateInput struct {
	Name     *string
	Email    *string
	Currency *string
	Timezone *string
	// LowCreditThreshold sets the customer's credits.low level; its zero
	// value clears it (back to the tenant's default).
	LowCreditThreshold *domain.LowCreditThreshold
}

func validateCommon(p *domain.Problems, email, currency, timezone *string) {
	if email != nil && *email != "" {
		if _, err := mail.ParseAddress(*email); err != nil {
			p.Add("email", "%q is not an email address", *email)
		}
	}
	if currency != nil {
		if *currency == "" {
			p.Add("currency", "is required (an ISO 4217 code such as USD)")
		} else if _, ok := domain.ParseCurrency(*currency); !ok {
			p.Add("currency", "%q is not an ISO 4217 currency code", *currency)
		}
	}
	if timezone != nil {
		if _, err := calendar.LoadLocation(*timezone); err != nil {
			p.Add("timezone", "%q is not an IANA time zone name (such as Europe/Berlin)", *timezone)
		}
	}
}

// Validate collects every problem with the input.
func (in CreateInput) Validate() error {
	var p domain.Problems
	switch {
	case strings.TrimSpace(in.ExternalID) == "":
		p.Add("external_id", "is required")
	case len(in.ExternalID) > 255:
		p.Add("external_id", "must be at most 255 characters")
	}
	validateCommon(&p, &in.Email, &in.Currency, &in.Timezone)
	if in.LowCreditThreshold != nil {
		in.LowCreditThreshold.Validate(&p, "low_credit_threshold")
	}
	return p.Err()
}
