package app

import (
	"context"
	"time"

	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/tenants"
)

// creditLevels is the budgets.CreditLevels over customers and tenants: the
// customer's own low_credit_threshold, else its tenant's default (the zero
// value when neither sets one: budgets then uses the default percent), and
// the start of the customer's open billing period at ctx's now (the
// earliest one when it has several subscriptions; zero when none is open).
type creditLevels struct {
	customers *customers.Service
	tenants   *tenants.Service
	clock     domain.Clock
}

func (l creditLevels) CreditLevel(ctx context.Context, tenantID, customerID string) (domain.LowCreditThreshold, time.Time, error) {
	cu, err := l.customers.Get(ctx, tenantID, customerID)
	if err != nil {
		return domain.LowCreditThreshold{}, time.Time{}, err
	}
	level := cu.LowCreditThreshold
	if level.IsZero() {
		st, err := l.tenants.Settings(ctx, tenantID)
		if err != nil {
			return domain.LowCreditThreshold{}, time.Time{}, err
		}
		level = st.LowCreditThreshold
	}
	subs, err := l.customers.ListSubscriptions(ctx, tenantID, customers.SubscriptionQuery{CustomerID: customerID}, domain.Page{Limit: domain.MaxPageLimit})
	if err != nil {
		return level, time.Time{}, err
	}
	cxs, err := l.customers.Contexts(ctx, tenantID, subs.Data)
	if err != nil {
		return level, time.Time{}, err
	}
	var start time.Time
	now := l.clock.Now(ctx)
	for _, c := range cxs {
		if p, ok := c.PeriodAt(now); ok && (start.IsZero() || p.Start.Before(start)) {
			start = p.Start
		}
	}
	return level, start, nil
}
