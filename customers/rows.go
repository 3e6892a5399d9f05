package customers

import (
	"time"

	"github.com/tallyhq/tally/customers/cycle"
	"github.com/tallyhq/tally/domain"
)

type customerRow struct {
	ID         string `gorm:"primaryKey"`
	TenantID   string
	ExternalID string
	Name       string
	Email      string
	Currency   string
	Timezone   string
	// LowCreditThreshold is domain.EncodeLowCreditThreshold's text (nil:
	// none set).
	LowCreditThreshold *string
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

func (customerRow) TableName() string { return "customers" }

// toCustomer converts a row; a low_credit_threshold text that does not
// decode (only a hand-edited row: Tally writes it encoded) reads as unset,
// so the tenant's default applies.
func (r customerRow) toCustomer() Customer {
	c := Customer{ID: r.ID, TenantID: r.TenantID, ExternalID: r.ExternalID, Name: r.Name, Email: r.Email,
		Currency: domain.Currency(r.Currency), Timezone: r.Timezone, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if r.LowCreditThreshold != nil {
		c.LowCreditThreshold, _ = domain.DecodeLowCreditThreshold(*r.LowCreditThreshold)
	}
	return c
}

// lowCreditText is t as stored: nil for the zero value.
func lowCreditText(t *domain.LowCreditThreshold) *string {
	if t == nil {
		return nil
	}
	enc := domain.EncodeLowCreditThreshold(*t)
	if enc == "" {
		return nil
	}
	return &enc
}

type subscriptionRow struct {
	ID                     string `gorm:"primaryKey"`
	TenantID               string
	CustomerID             string
	PlanID                 string
	StartAt                time.Time
	BillingCycle           string
	TrialDays              int
	TrialEnd               *time.Time
	EndsAt                 *time.Time
	CanceledAt             *time.Time
	EndReason              string
	CancelProrate          bool
	PreviousSubscriptionID *string
	SkipStartInvoice       bool
	AnchorAt               *time.Time
	ExternalID             *string // NULL when unset: unique in the tenant when set
	CreatedAt              time.Time
	UpdatedAt              time.Time
}

func (subscriptionRow) TableName() string { return "subscriptions" }

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func (r subscriptionRow) toSubscription(externalID, planKey string) Subscription {
	return Subscription{ID: r.ID, TenantID: r.TenantID, CustomerID: r.CustomerID, CustomerExternalID: externalID,
		PlanID: r.PlanID, PlanKey: planKey, StartAt: r.StartAt.UTC(), BillingCycle: cycle.Kind(r.BillingCycle),
		TrialDays: r.TrialDays, TrialEnd: utcPtr(r.TrialEnd), EndsAt: utcPtr(r.EndsAt), CanceledAt: utcPtr(r.CanceledAt),
		EndReason: EndReason(r.EndReason), CancelProrate: r.CancelProrate, PreviousSubscriptionID: deref(r.PreviousSubscriptionID),
		SkipStartInvoice: r.SkipStartInvoice, AnchorAt: utcPtr(r.AnchorAt), ExternalID: deref(r.ExternalID), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
