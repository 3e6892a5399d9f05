package invoicing

import (
	"context"
	"github.com/tallyhq/tally/store"
	"time"

	"github.com/tallyhq/tally/credits"
	"github.com/tallyhq/tally/customers"
)

// LiveBalance is a customer's credit balance at now.
type LiveBalance struct {
	Customer customers.Customer // as read with the balance (its frame)
	At       time.Time          // the tenant's now the balance is at
	Units    []credits.UnitBalance
}

// LiveCreditBalance is CreditBalance at now, with the customer and the
// instant it answers for: the tenant's clock is read once, so a caller
// showing the instant shows the one answered (a caller that reads the
// clock itself and passes it to CreditBalance asks for a past instant:
// computed in full, never cached). The customer comes from the same
// cache as the balance, so an answer served from it reads nothing; a
// customer that does not exist is a not-found error.
func (s *Service) LiveCreditBalance(ctx context.Context, tenantID, customerID string) (LiveBalance, error) {
	ctx = store.PrimaryOnly(ctx) // a balance is cached and alerted on: never from a lagging replica
	now := s.clock.Now(ctx)
	if units, cu, ok := s.balances.get(tenantID, customerID, now); ok {
		return LiveBalance{Customer: cu, At: now, Units: units}, nil
	}
	f, st, err := s.liveFrame(ctx, tenantID, customerID)
	if err != nil {
		return LiveBalance{}, err
	}
	// Share a computation in flight from the same versions (see
	// balanceFlights), unless time alone has changed its answer since.
	units, until, computed, err := s.flights.do(st, now, func() ([]credits.UnitBalance, time.Time, error) {
		return s.balanceOf(context.WithoutCancel(ctx), f, now) // others may wait on it
	})
	if err == nil && !now.Before(until) {
		units, until, err = s.balanceOf(ctx, f, now)
		computed = now
	}
	if err != nil {
		return LiveBalance{}, err
	}
	s.balances.put(st, computed, until, units, f.customer)
	return LiveBalance{Customer: f.customer, At: now, Units: units}, nil
}

// liveFrame is the customer's frame, from the cache while no write of the
// customer or its tenant was notified since it was read, else read now
// (and cached); st is the versions a live answer computed from it is
// stamped with.
func (s *Service) liveFrame(ctx context.Context, tenantID, customerID string) (*balanceFrame, balanceStamp, error) {
	if f, st, refresh, ok := s.balances.frame(tenantID, customerID); ok {
		if refresh {
			s.background(func(ctx context.Context) { _, _, _ = s.readFrame(ctx, tenantID, customerID) })
		}
		return f, st, nil
	}
	f, fst, err := s.readFrame(ctx, tenantID, customerID)
	if err != nil {
		return nil, balanceStamp{}, err
	}
	return f, s.balances.withUsage(fst, f.customer.ExternalID), nil
}

// readFrame reads the customer's frame after the versions it returns and
// caches it (unless a change came in meanwhile). A failed background read
// leaves the cached frame to expire.
func (s *Service) readFrame(ctx context.Context, tenantID, customerID string) (*balanceFrame, balanceStamp, error) {
	fst, read := s.balances.stamp(tenantID, customerID, ""), s.balances.wallNow()
	f, err := s.loadFrame(ctx, tenantID, customerID)
	if err != nil {
		return nil, fst, err
	}
	s.balances.putFrame(fst, read, f)
	return f, fst, nil
}
