package invoicing

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/domain"
)

// Proposed computes, without storing anything, the invoice that the period
// containing at will close with were no more usage to come: the period's
// usage counted up to at, its arrear fees, and the next period's advance
// fees. A zero at means now.
//
// A subscription in its trial answers an empty invoice over the trial with a
// note (no fee or usage is billed during a trial). One that has not started
// or has ended has no such invoice: a conflict error says why.
func (s *Service) Proposed(ctx context.Context, tenantID, subscriptionID string, at time.Time) (Invoice, error) {
	sc, err := s.customers.Load(ctx, tenantID, subscriptionID)
	if err != nil {
		return Invoice{}, err
	}
	return s.proposed(ctx, sc, at)
}

func (s *Service) proposed(ctx context.Context, sc customers.Context, at time.Time) (Invoice, error) {
	return s.proposedWith(ctx, sc, nil, at, true)
}

// proposedWith is proposed with the subscription's composer (nil: built
// here) and, with preview, what prepaid credit would pay of it.
func (s *Service) proposedWith(ctx context.Context, sc customers.Context, c *composer, at time.Time, preview bool) (Invoice, error) {
	if at.IsZero() {
		at = s.clock.Now(ctx)
	}
	sub := sc.Subscription
	inv := Invoice{TenantID: sub.TenantID, Status: Proposed, BillingReason: Cycle, CustomerID: sub.CustomerID,
		SubscriptionID: sub.ID, Currency: sc.Plan.Currency, Lines: []Line{}, CreditsApplied: decimal.Zero, CreatedAt: s.clock.Now(ctx)}
	switch sub.StatusAt(at) {
	case customers.Scheduled:
		return Invoice{}, domain.Conflict("not_started", "subscription %s starts at %s: it has no period at %s yet",
			sub.ID, sub.StartAt.Format(time.RFC3339), at.UTC().Format(time.RFC3339))
	case customers.Ended:
		return Invoice{}, domain.Conflict("ended", "subscription %s ended at %s: it has no period at %s",
			sub.ID, sub.EndsAt.Format(time.RFC3339), at.UTC().Format(time.RFC3339))
	case customers.Trialing:
		inv.Period = domain.Period{Start: sub.StartAt, End: *sub.TrialEnd}
		inv.Note = fmt.Sprintf("in trial until %s: no fee or usage is billed before then", sub.TrialEnd.Format(time.RFC3339))
		inv.total()
		return inv, nil
	}
	p, ok := sc.PeriodAt(at)
	if !ok {
		return Invoice{}, domain.Conflict("no_period", "subscription %s has no period at %s", sub.ID, at.UTC().Format(time.RFC3339))
	}
	var err error
	if c == nil {
		if c, err = newComposer(ctx, s.usage, sc); err != nil {
			return Invoice{}, err
		}
	}
	inv.Period = p
	switch {
	case c.isCut(p) && sub.EndReason == customers.EndPlanChange:
		inv.BillingReason = PlanChange
		inv.Lines, err = s.planChangeLines(ctx, c, p, at)
	case c.isCut(p):
		inv.BillingReason = Cancel
		inv.Lines, err = c.cut(ctx, p, at)
	default:
		inv.Lines, err = c.closing(ctx, p, at)
	}
	if err != nil {
		return Invoice{}, err
	}
	if inv.Lines == nil {
		inv.Lines = []Line{}
	}
	inv.total()
	if !preview {
		return inv, nil
	}
	// What the customer's prepaid credit would pay, after its drafts.
	if err := s.previewCredits(ctx, &inv); err != nil {
		return Invoice{}, err
	}
	return inv, nil
}

// proposedBare is proposed from the subscription's composer without the
// credit preview (the balance draws all of a customer's open periods
// itself, reading its grants and drafts once).
func (s *Service) proposedBare(ctx context.Context, c *composer, at time.Time) (Invoice, error) {
	return s.proposedWith(ctx, c.sc, c, at, false)
}

// ProposedForCustomer computes the proposed invoice of every subscription of
// the customer that is active or in trial at at.
func (s *Service) ProposedForCustomer(ctx context.Context, tenantID, customerID string, at time.Time) ([]Invoice, error) {
	if at.IsZero() {
		at = s.clock.Now(ctx)
	}
	if _, err := s.customers.Get(ctx, tenantID, customerID); err != nil {
		return nil, err
	}
	out := []Invoice{}
	cursor := ""
	for {
		page, err := s.customers.ListSubscriptions(ctx, tenantID, customers.SubscriptionQuery{CustomerID: customerID}, domain.Page{Limit: domain.MaxPageLimit, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		for _, sub := range page.Data {
			st := sub.StatusAt(at)
			if st != customers.Active && st != customers.Trialing {
				continue
			}
			inv, err := s.Proposed(ctx, tenantID, sub.ID, at)
			if err != nil {
				return nil, err
			}
			out = append(out, inv)
		}
		if page.NextCursor == "" {
			return out, nil
		}
		cursor = page.NextCursor
	}
}
