package invoicing

import (
	"context"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/webhooks"
	"gorm.io/gorm"
)

// CreditExpiredData is the "data" of credits.expired: the grant, what of it
// expired (units in its unit; value in the customer's currency at its
// conversion rate, in the currency's minor unit) and the expiry instant.
// Pending is what drafts and periods that closed before the expiry may
// still draw from it (pricing.md): it did not expire.
type CreditExpiredData struct {
	CustomerID string `json:"customer_id"`
	GrantID    string `json:"grant_id"`
	Unit       string `json:"unit"`
	Granted    string `json:"granted"`
	Expired    string `json:"expired"`
	Value      string `json:"value"`
	Pending    string `json:"pending"`
	ExpiresAt  string `json:"expires_at"`
}

// ExpireCredits records, for the tenant at ctx's now (its test clock when
// it rides in ctx), the expiry of every grant whose expires_at has passed
// and whose expiry is not recorded yet: a ledger "expiry" entry of what is
// left less what is still pending on it (the credit balance's "expired"),
// and a credits.expired event in the same transaction, once per grant. A
// grant with nothing left, or only what is pending, sends nothing (a later
// call records what the drafts leave). It returns how many it recorded; a
// customer that fails does not stop the others.
func (s *Service) ExpireCredits(ctx context.Context, tenantID string) (int, error) {
	now := s.clock.Now(ctx)
	due, err := s.credits.DueExpiries(ctx, tenantID, now)
	if err != nil {
		return 0, err
	}
	byCustomer := map[string][]string{}
	var order []string
	for _, d := range due {
		if _, seen := byCustomer[d.CustomerID]; !seen {
			order = append(order, d.CustomerID)
		}
		byCustomer[d.CustomerID] = append(byCustomer[d.CustomerID], d.GrantID)
	}
	n := 0
	var firstErr error
	for _, customerID := range order {
		m, err := s.expireCustomer(ctx, tenantID, customerID, byCustomer[customerID], now)
		n += m
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return n, firstErr
}

// expireCustomer records the due expiries of one customer's grants in one
// transaction.
func (s *Service) expireCustomer(ctx context.Context, tenantID, customerID string, grantIDs []string, now time.Time) (int, error) {
	cu, err := s.customers.Get(ctx, tenantID, customerID)
	if err != nil {
		return 0, err
	}
	// What is still pending on each grant: the balance at now computes it
	// (drafts and periods closed before the expiry may still draw).
	units, _, err := s.creditBalance(ctx, tenantID, customerID, now)
	if err != nil {
		return 0, err
	}
	pending := map[string]decimal.Decimal{}
	for _, u := range units {
		for _, g := range u.Grants {
			pending[g.Grant.ID] = g.Pending
		}
	}
	n := 0
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		for _, id := range grantIDs {
			e, ok, err := s.credits.RecordExpiryTx(tx, tenantID, id, pending[id], now)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			data := CreditExpiredData{CustomerID: customerID, GrantID: id, Unit: e.Grant.Unit, Granted: e.Grant.Amount.String(), Expired: e.Units.String(),
				Value: cu.Currency.Format(e.Value), Pending: pending[id].String(), ExpiresAt: e.At.UTC().Format(time.RFC3339Nano)}
			if err := s.emitTx(tx, tenantID, webhooks.Event{Type: webhooks.CreditsExpired, CustomerID: customerID, Data: data}); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if n > 0 {
		s.changed(tenantID, customerID)
	}
	return n, nil
}
