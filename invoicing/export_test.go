package invoicing

import (
	"context"
	"time"

	"github.com/tallyhq/tally/credits"
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/domain"
)

// FullCreditBalance is the balance at at computed with nothing cached:
// its frame read now, its usage read now.
func FullCreditBalance(ctx context.Context, s *Service, tenantID, customerID string, at time.Time) ([]credits.UnitBalance, error) {
	units, _, err := s.creditBalance(ctx, tenantID, customerID, at)
	return units, err
}

// FrameCached reports whether a live balance of the customer would now be
// computed from a cached frame (without touching the cache).
func FrameCached(s *Service, tenantID, customerID string) bool {
	c := s.balances
	c.mu.Lock()
	defer c.mu.Unlock()
	k := idKey(tenantID, customerID)
	e, ok := c.frames[k]
	return ok && e.vt == c.versions[tenantID] && e.vc == c.versions[k] && c.wall().Sub(e.stored) < BalanceTTL
}

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
