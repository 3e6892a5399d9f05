package invoicing

import (
	"context"
	"log/slog"

	"github.com/tallyhq/tally/customers"
)

// Subscribe creates a subscription (customers.Service.CreateSubscription,
// whose validation errors it returns) and then drafts its
// subscription_start invoice when its plan has advance fees and its first
// paid period has begun. (One that starts later, or after a trial, gets it
// from the first invoice run after its period begins.) A failure to draft is
// logged, not returned: the subscription stands and the next invoice run
// drafts the invoice. Every new subscription of the API goes through here;
// a plan change's successor does not (its first fee is on the plan_change
// invoice).
func (s *Service) Subscribe(ctx context.Context, tenantID string, in customers.CreateSubscriptionInput) (customers.Subscription, error) {
	sub, err := s.customers.CreateSubscription(ctx, tenantID, in)
	if err != nil {
		return sub, err
	}
	if err := s.openSubscription(ctx, sub); err != nil {
		s.log.Error("draft subscription_start invoice", slog.String("subscription", sub.ID), slog.Any("error", err))
	}
	return sub, nil
}
