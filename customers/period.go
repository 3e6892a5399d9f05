package customers

import (
	"context"
	"time"

	"github.com/tallyhq/tally/customers/cycle"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/plans"
)

// Context is a subscription with the customer and plan it needs to be
// billed: the plan's interval and the customer's time zone make its cycle.
type Context struct {
	Subscription Subscription
	Customer     Customer
	Plan         plans.Plan
}

// Cycle is the subscription's period grid.
func (c Context) Cycle() cycle.Cycle {
	cy := c.Subscription.Cycle(c.Plan.Interval, c.Customer.InitialLocation())
	cy.ZoneChanges = c.Customer.ZoneChanges()
	return cy
}

// PeriodAt is the billing period containing t (clipped to a scheduled end),
// and false when none does: before billing starts (scheduled or in trial)
// or after the subscription ended.
func (c Context) PeriodAt(t time.Time) (domain.Period, bool) {
	return c.Subscription.PeriodAt(c.Cycle(), t)
}

// Load reads a subscription with its customer and plan.
func (s *Service) Load(ctx context.Context, tenantID, subscriptionID string) (Context, error) {
	sub, err := s.GetSubscription(ctx, tenantID, subscriptionID)
	if err != nil {
		return Context{}, err
	}
	cust, err := s.Get(ctx, tenantID, sub.CustomerID)
	if err != nil {
		return Context{}, err
	}
	plan, err := s.plans.Get(ctx, tenantID, sub.PlanID)
	if err != nil {
		return Context{}, err
	}
	return Context{Subscription: sub, Customer: cust, Plan: plan}, nil
}
