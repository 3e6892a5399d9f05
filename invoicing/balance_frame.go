package invoicing

import (
	"context"

	"github.com/tallyhq/tally/credits"
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/domain"
)

// balanceFrame is everything a credit balance reads except usage: the
// customer, its grants, its drafts, and each of its subscriptions with its
// plan, meters, successor and the invoices it has. Ingestion changes none
// of it, and none of it depends on the clock (what time selects — open
// periods, periods due, expired grants — is decided when a balance is
// computed from it), so one frame serves every balance of the customer
// until a write of the customer or its tenant is notified (BalanceCache
// keeps that rule). A frame is never changed once read; concurrent
// computations share it.
type balanceFrame struct {
	customer customers.Customer
	grants   []credits.Grant // as stored, oldest first
	drafts   []Invoice       // that credit would pay, in the order they close
	subs     []framedSub     // every subscription, oldest first; none without grants
}

// framedSub is one subscription of a frame: its composer (plan, meters,
// successor read in advance) and its invoices by (reason, period start).
type framedSub struct {
	c    *composer
	have map[key]bool
}

// loadFrame reads the frame of a customer. Without grants it reads nothing
// more: the balance is empty whatever the rest says.
func (s *Service) loadFrame(ctx context.Context, tenantID, customerID string) (*balanceFrame, error) {
	cu, err := s.customers.Get(ctx, tenantID, customerID)
	if err != nil {
		return nil, err
	}
	f := &balanceFrame{customer: cu}
	if f.grants, err = s.credits.List(ctx, tenantID, cu.ID); err != nil || len(f.grants) == 0 {
		return f, err
	}
	if f.drafts, err = s.drafts(ctx, tenantID, cu.ID); err != nil {
		return nil, err
	}
	cursor := ""
	for {
		page, err := s.customers.ListSubscriptions(ctx, tenantID, customers.SubscriptionQuery{CustomerID: cu.ID}, domain.Page{Limit: domain.MaxPageLimit, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		scs, err := s.customers.Contexts(ctx, tenantID, page.Data)
		if err != nil {
			return nil, err
		}
		for _, sc := range scs {
			fs, err := s.frameSub(ctx, sc)
			if err != nil {
				return nil, err
			}
			f.subs = append(f.subs, fs)
		}
		if page.NextCursor == "" {
			return f, nil
		}
		cursor = page.NextCursor
	}
}

// frameSub reads what a frame holds of one subscription.
func (s *Service) frameSub(ctx context.Context, sc customers.Context) (framedSub, error) {
	have, err := s.existing(ctx, sc.Subscription.TenantID, sc.Subscription.ID)
	if err != nil {
		return framedSub{}, err
	}
	c, err := newComposer(ctx, s.usage, sc)
	if err != nil {
		return framedSub{}, err
	}
	if sc.Subscription.EndReason == customers.EndPlanChange {
		if c.next, err = s.successor(ctx, c); err != nil {
			return framedSub{}, err
		}
		c.nextKnown = true
	}
	return framedSub{c: c, have: have}, nil
}
