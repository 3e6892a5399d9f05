package invoicing

import (
	"context"
	"time"

	"github.com/tallyhq/tally/credits"
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
