package invoicing

import (
	"context"
	"strings"
	"time"

	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/webhooks"
	"gorm.io/gorm"
)

// CancelInput says when a subscription ends: At is "now", "period_end" or
// an RFC 3339 timestamp (not before the current period).
type CancelInput struct {
	At      string
	Prorate bool
}

// Change is the outcome of a cancellation or a plan change.
type Change struct {
	Subscription customers.Subscription
	// Successor is the subscription a plan change started (nil for a cancel).
	Successor *customers.Subscription
	// Invoice is the invoice issued at once, if any.
	Invoice *Invoice
}

// whenEnds resolves "now", "period_end" or a timestamp against the
// subscription, for the field named field.
func (s *Service) whenEnds(ctx context.Context, sc customers.Context, at, field string) (time.Time, error) {
	now := s.clock.Now(ctx)
	sub := sc.Subscription
	switch strings.TrimSpace(at) {
	case "now", "":
		return now, nil
	case "period_end":
		if now.Before(sub.BillingStart()) {
			return sub.BillingStart(), nil // ends before its first paid period
		}
		p, ok := sc.PeriodAt(now)
		if !ok {
			return time.Time{}, domain.Conflict("invalid_state", "subscription %s has no current period", sub.ID)
		}
		return p.End, nil
	}
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return time.Time{}, domain.Invalid(field, `must be "now", "period_end" or an RFC 3339 timestamp, got %q`, at)
	}
	if p, ok := sc.PeriodAt(now); ok && t.Before(p.Start) {
		return time.Time{}, domain.Invalid(field, "must not lie before the current period, which started at %s", p.Start.Format(time.RFC3339))
	}
	if t.Before(sub.StartAt) {
		return time.Time{}, domain.Invalid(field, "must not lie before the subscription's start, %s", sub.StartAt.Format(time.RFC3339))
	}
	return t.UTC(), nil
}

// Cancel ends a subscription. "now" (or a past timestamp) issues the cancel
// invoice at once: usage up to the end, arrear fees for the days used, and,
// with prorate, a credit for the unused days of the advance fee.
// "period_end" bills nothing extra: the period's closing invoice simply has
// no next advance fee. A future timestamp is invoiced by the first run
// after it.
func (s *Service) Cancel(ctx context.Context, tenantID, subscriptionID string, in CancelInput) (Change, error) {
	sc, err := s.customers.Load(ctx, tenantID, subscriptionID)
	if err != nil {
		return Change{}, err
	}
	end, err := s.whenEnds(ctx, sc, in.At, "at")
	if err != nil {
		return Change{}, err
	}
	report := func(tx *gorm.DB) error {
		return s.emitTx(tx, tenantID, webhooks.Event{Type: webhooks.SubscriptionCanceled, CustomerID: sc.Customer.ID, Data: SubscriptionData{
			SubscriptionID: subscriptionID, CustomerID: sc.Customer.ID, Plan: sc.Plan.Key, EndsAt: end.UTC().Format(time.RFC3339Nano), Prorate: in.Prorate}})
	}
	sub, err := s.customers.SetEnd(ctx, tenantID, subscriptionID, end, customers.EndCancel, in.Prorate, report)
	if err != nil {
		return Change{}, err
	}
	out := Change{Subscription: sub}
	out.Invoice, err = s.issueEnd(ctx, tenantID, subscriptionID)
	return out, err
}

// ChangePlanInput names the new plan (by key) and when: "now" or
// "period_end".
type ChangePlanInput struct {
	Plan string
	At   string
}

// ChangePlan moves a subscription to another plan of the same currency. It
// ends the subscription and starts a successor on the new plan (same
// customer and billing cycle) at the change. "now" issues one plan_change
// invoice at once with the old plan's usage up to the change, the credit
// for the old plan's unused advance fee and the new plan's prorated advance
// fee; the new plan's usage starts at the change. "period_end" switches at
// the end of the current period, where the successor's own
// subscription_start invoice bills its first fee.
func (s *Service) ChangePlan(ctx context.Context, tenantID, subscriptionID string, in ChangePlanInput) (Change, error) {
	sc, err := s.customers.Load(ctx, tenantID, subscriptionID)
	if err != nil {
		return Change{}, err
	}
	var p domain.Problems
	if strings.TrimSpace(in.Plan) == "" {
		p.Add("plan", "is required (a plan key)")
	} else if in.Plan == sc.Plan.Key {
		p.Add("plan", "the subscription is already on plan %q", in.Plan)
	}
	if in.At != "" && in.At != "now" && in.At != "period_end" {
		p.Add("at", `must be "now" or "period_end"`)
	}
	if err := p.Err(); err != nil {
		return Change{}, err
	}
	if st := sc.Subscription.StatusAt(s.clock.Now(ctx)); st == customers.Ended {
		return Change{}, domain.Conflict("invalid_state", "subscription %s has ended", subscriptionID)
	}
	end, err := s.whenEnds(ctx, sc, in.At, "at")
	if err != nil {
		return Change{}, err
	}
	now := in.At == "" || in.At == "now"
	report := func(tx *gorm.DB) error {
		return s.emitTx(tx, tenantID, webhooks.Event{Type: webhooks.SubscriptionPlanChanged, CustomerID: sc.Customer.ID, Data: SubscriptionData{
			SubscriptionID: subscriptionID, CustomerID: sc.Customer.ID, Plan: sc.Plan.Key, NewPlan: in.Plan, EndsAt: end.UTC().Format(time.RFC3339Nano)}})
	}
	sub, next, err := s.customers.ReplaceSubscription(ctx, tenantID, subscriptionID, end, customers.CreateSubscriptionInput{
		Customer: sc.Customer.ExternalID, Plan: in.Plan, BillingCycle: string(sc.Subscription.BillingCycle), SkipStartInvoice: now}, report)
	if err != nil {
		return Change{}, err
	}
	out := Change{Subscription: sub, Successor: &next}
	out.Invoice, err = s.issueEnd(ctx, tenantID, subscriptionID)
	return out, err
}

// issueEnd drafts the end invoice of a subscription whose end has passed,
// and returns it (nil if there is none: an end in the future or on a period
// boundary).
func (s *Service) issueEnd(ctx context.Context, tenantID, subscriptionID string) (*Invoice, error) {
	sc, err := s.customers.Load(ctx, tenantID, subscriptionID)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now(ctx)
	sub := sc.Subscription
	if sub.EndsAt == nil || sub.EndsAt.After(now) {
		return nil, nil
	}
	c, err := newComposer(ctx, s.usage, sc)
	if err != nil {
		return nil, err
	}
	have, err := s.existing(ctx, tenantID, subscriptionID)
	if err != nil {
		return nil, err
	}
	if _, _, err := s.endInvoice(ctx, c, now, have, "", s.insert); err != nil {
		return nil, err
	}
	cutP, ok := c.cutPeriod()
	if !ok {
		return nil, nil
	}
	var id string
	if err := s.db.WithContext(ctx).Table("invoices").Select("id").Where("tenant_id = ? AND subscription_id = ? AND billing_reason = ? AND period_start = ?",
		tenantID, subscriptionID, string(sub.EndReason), micros(cutP.Start)).Scan(&id).Error; err != nil || id == "" {
		return nil, err
	}
	inv, err := s.Get(ctx, tenantID, id)
	return &inv, err
}
