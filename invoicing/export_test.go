package invoicing

import (
	"context"
	"time"

	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/domain"
)

// DraftEachForTest drafts every missing invoice of the tenant's
// subscriptions up to asOf one subscription at a time, each invoice in a
// transaction of its own: the path invoice runs took before a page was
// drafted and written at once, kept for tests that compare the two. It
// returns how many invoices it stored.
func (s *Service) DraftEachForTest(ctx context.Context, tenantID string, asOf time.Time) (int, error) {
	created, cursor := 0, ""
	for {
		page, err := s.customers.ListSubscriptions(ctx, tenantID, customers.SubscriptionQuery{}, domain.Page{Limit: domain.MaxPageLimit, Cursor: cursor})
		if err != nil {
			return created, err
		}
		for _, sub := range page.Data {
			sc, err := s.customers.Load(ctx, tenantID, sub.ID)
			if err != nil {
				return created, err
			}
			made, _, err := s.invoiceSubscription(ctx, sc, asOf, "", s.insert)
			created += made
			if err != nil {
				return created, err
			}
		}
		if page.NextCursor == "" {
			return created, nil
		}
		cursor = page.NextCursor
	}
}
