package customers

import (
	"context"
	"fmt"
	"strings"

	"github.com/tallyhq/tally/calendar"
	"github.com/tallyhq/tally/customers/cycle"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/plans"
	"github.com/tallyhq/tally/store"
)

// MaxSubscriptionExternalID bounds a subscription's external_id.
const MaxSubscriptionExternalID = 255

func duplicateExternalID(ext string) error {
	return domain.Conflict("duplicate_key", "a subscription with external_id %q already exists", ext)
}

// CreateSubscription subscribes a customer (by external_id) to a plan (by
// key). The plan must not be archived and must share the customer's
// currency; both problems, and unknown names, are validation errors. It
// stores the subscription only: its first invoice is drafted by the caller
// (invoicing.Service.Subscribe creates through it, then drafts).
func (s *Service) CreateSubscription(ctx context.Context, tenantID string, in CreateSubscriptionInput) (Subscription, error) {
	r, cust, plan, err := s.newSubscription(ctx, tenantID, in)
	if err != nil {
		return Subscription{}, err
	}
	if err := s.db.WithContext(ctx).Create(&r).Error; err != nil {
		if store.IsUniqueViolation(err) && r.ExternalID != nil {
			return Subscription{}, duplicateExternalID(*r.ExternalID)
		}
		return Subscription{}, fmt.Errorf("create subscription: %w", err)
	}
	domain.Notify(s.notify, domain.Change{TenantID: tenantID, CustomerID: r.CustomerID})
	return r.toSubscription(cust.ExternalID, plan.Key), nil
}

// subjects finds a new subscription's customer (by external_id) and plan
// (by key); a missing one is a NotFound error.
type subjects struct {
	customer func(ctx context.Context, tenantID, externalID string) (Customer, error)
	plan     func(ctx context.Context, tenantID, key string) (plans.Plan, error)
}

// newSubscription validates in and builds the row to store, reading its
// customer and plan from the database.
func (s *Service) newSubscription(ctx context.Context, tenantID string, in CreateSubscriptionInput) (subscriptionRow, Customer, plans.Plan, error) {
	return s.buildSubscription(ctx, tenantID, in, subjects{customer: s.GetByExternalID, plan: s.plans.GetByKey})
}

// buildSubscription validates in and builds the row to store, finding its
// customer and plan through from.
func (s *Service) buildSubscription(ctx context.Context, tenantID string, in CreateSubscriptionInput, from subjects) (subscriptionRow, Customer, plans.Plan, error) {
	var p domain.Problems
	var cust Customer
	var plan plans.Plan
	if strings.TrimSpace(in.Customer) == "" {
		p.Add("customer", "is required (the customer's external_id)")
	} else if c, err := from.customer(ctx, tenantID, in.Customer); err != nil {
		if domain.KindOf(err) != domain.KindNotFound {
			return subscriptionRow{}, Customer{}, plans.Plan{}, err
		}
		p.Add("customer", "no customer with external_id %q", in.Customer)
	} else {
		cust = c
	}
	if strings.TrimSpace(in.Plan) == "" {
		p.Add("plan", "is required (a plan key)")
	} else if pl, err := from.plan(ctx, tenantID, in.Plan); err != nil {
		if domain.KindOf(err) != domain.KindNotFound {
			return subscriptionRow{}, Customer{}, plans.Plan{}, err
		}
		p.Add("plan", "no plan with key %q", in.Plan)
	} else if pl.ArchivedAt != nil {
		p.Add("plan", "plan %q is archived", in.Plan)
	} else {
		plan = pl
	}
	if cust.ID != "" && plan.ID != "" && cust.Currency != plan.Currency {
		p.Add("plan", "plan %q is in %s but customer %q pays in %s", plan.Key, plan.Currency, cust.ExternalID, cust.Currency)
	}
	kind := cycle.Kind(in.BillingCycle)
	if kind == "" {
		kind = cycle.Calendar
	}
	if !kind.Valid() {
		p.Add("billing_cycle", "unknown billing cycle %q (calendar or anniversary)", in.BillingCycle)
	}
	if in.TrialDays < 0 || in.TrialDays > MaxTrialDays {
		p.Add("trial_days", "must be between 0 and %d", MaxTrialDays)
	}
	ext := strings.TrimSpace(in.ExternalID)
	if len(ext) > MaxSubscriptionExternalID {
		p.Add("external_id", "at most %d characters", MaxSubscriptionExternalID)
	}
	if in.StartAt != nil {
		domain.AddInstantProblem(&p, "start_at", *in.StartAt)
	}
	if err := p.Err(); err != nil {
		return subscriptionRow{}, Customer{}, plans.Plan{}, err
	}
	now := s.clock.Now(ctx)
	start := now
	if in.StartAt != nil {
		start = in.StartAt.UTC()
	}
	r := subscriptionRow{ID: domain.NewID(domain.PrefixSubscription), TenantID: tenantID, CustomerID: cust.ID, PlanID: plan.ID,
		StartAt: start, BillingCycle: string(kind), TrialDays: in.TrialDays, SkipStartInvoice: in.SkipStartInvoice,
		AnchorAt: utcPtr(in.AnchorAt), CreatedAt: now, UpdatedAt: now}
	if ext != "" {
		r.ExternalID = &ext
	}
	if in.PreviousSubscriptionID != "" {
		prev := in.PreviousSubscriptionID
		r.PreviousSubscriptionID = &prev
	}
	if in.TrialDays > 0 {
		// The trial ends at 00:00 in the customer's zone on the local date
		// trial_days after the start's local date (pricing.md, Trials).
		loc := cust.Location()
		end := calendar.DayStart(calendar.DateOf(start, loc).AddDays(in.TrialDays), loc)
		r.TrialEnd = &end
	}
	return r, cust, plan, nil
}
