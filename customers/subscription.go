package customers

import (
	"time"

	"github.com/tallyhq/tally/calendar"
	"github.com/tallyhq/tally/customers/cycle"
	"github.com/tallyhq/tally/domain"
)

// Status is where a subscription stands at a given instant.
type Status string

const (
	// Scheduled subscriptions start in the future.
	Scheduled Status = "scheduled"
	// Trialing subscriptions are in their free trial.
	Trialing Status = "trialing"
	// Active subscriptions are billing.
	Active Status = "active"
	// Ended subscriptions were canceled and their end has passed.
	Ended Status = "ended"
)

// EndReason says why a subscription has an end.
type EndReason string

const (
	EndCancel     EndReason = "cancel"
	EndPlanChange EndReason = "plan_change"
)

// Subscription ties a customer to a plan.
type Subscription struct {
	ID                 string
	TenantID           string
	CustomerID         string
	CustomerExternalID string
	PlanID             string
	PlanKey            string
	StartAt            time.Time
	BillingCycle       cycle.Kind
	TrialDays          int
	TrialEnd           *time.Time
	EndsAt             *time.Time // set by a cancellation or a plan change: billing stops here
	CanceledAt         *time.Time // when the cancellation or change was asked for
	EndReason          EndReason
	CancelProrate      bool // credit the unused part of a fee paid in advance
	// PreviousSubscriptionID names the subscription a plan change replaced.
	PreviousSubscriptionID string
	// SkipStartInvoice is set when the first fee of this subscription sits
	// on its predecessor's plan_change invoice.
	SkipStartInvoice bool
	// AnchorAt, when set, anchors the period grid instead of the billing
	// start: a plan change's successor keeps its predecessor's grid, so
	// the new plan's first fee is prorated over the rest of the period.
	AnchorAt *time.Time
	// ExternalID is the caller's own id of the subscription ("" when
	// unset), unique in the tenant.
	ExternalID string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// BillingStart is when the first paid period starts: the end of the trial,
// or start_at.
func (s Subscription) BillingStart() time.Time {
	if s.TrialEnd != nil {
		return *s.TrialEnd
	}
	return s.StartAt
}

// Cycle returns the subscription's period grid for a plan interval and the
// customer's time zone.
func (s Subscription) Cycle(interval calendar.Interval, loc *time.Location) cycle.Cycle {
	c := cycle.Cycle{Interval: interval, Kind: s.BillingCycle, Start: s.BillingStart(), Location: loc}
	if s.AnchorAt != nil {
		c.Anchor = *s.AnchorAt
	}
	return c
}

// StatusAt says where the subscription stands at t.
func (s Subscription) StatusAt(t time.Time) Status {
	switch {
	case s.EndsAt != nil && !t.Before(*s.EndsAt):
		return Ended
	case t.Before(s.StartAt):
		return Scheduled
	case s.TrialEnd != nil && t.Before(*s.TrialEnd):
		return Trialing
	}
	return Active
}

// PeriodAt returns the billing period containing t, clipped to the
// subscription's end; false before billing starts or after it ends.
func (s Subscription) PeriodAt(c cycle.Cycle, t time.Time) (domain.Period, bool) {
	if s.EndsAt != nil && !t.Before(*s.EndsAt) {
		return domain.Period{}, false
	}
	p, ok := c.PeriodAt(t)
	if !ok {
		return domain.Period{}, false
	}
	if s.EndsAt != nil && s.EndsAt.Before(p.End) {
		p.End = *s.EndsAt
	}
	return p, true
}

// CreateInput is what POST /v1/subscriptions takes: a customer by
// external_id and a plan by key. start_at defaults to now and may lie in the
// past or the future; billing_cycle defaults to calendar.
type CreateSubscriptionInput struct {
	Customer     string
	Plan         string
	StartAt      *time.Time
	BillingCycle string
	TrialDays    int
	// ExternalID is optional and unique in the tenant (a duplicate is a
	// conflict).
	ExternalID string
	// Set by a plan change only (never from the API).
	PreviousSubscriptionID string
	SkipStartInvoice       bool
	AnchorAt               *time.Time
}
