package invoicing

import (
	"context"
	"log/slog"

	"github.com/tallyhq/tally/customers"
	"gorm.io/gorm"
)

// SubscribeMany is Subscribe for many subscriptions of the tenant at once
// (bulk loads, the benches): customers.Service.CreateSubscriptions stores
// them all or none (its validation errors are returned), then their
// subscription_start invoices — the very ones Subscribe drafts — are
// written in one transaction of multi-row inserts with their
// invoice.created events. As with Subscribe, a failure to draft is logged,
// not returned: the subscriptions stand and the next invoice run drafts the
// invoices.
func (s *Service) SubscribeMany(ctx context.Context, tenantID string, ins []customers.CreateSubscriptionInput) ([]customers.Subscription, error) {
	subs, err := s.customers.CreateSubscriptions(ctx, tenantID, ins)
	if err != nil || len(subs) == 0 {
		return subs, err
	}
	if err := s.openMany(ctx, tenantID, subs); err != nil {
		s.log.Error("draft subscription_start invoices", slog.Int("subscriptions", len(subs)), slog.Any("error", err))
	}
	return subs, nil
}

// openMany drafts the new subscriptions' subscription_start invoices (see
// open) and stores them in one transaction.
func (s *Service) openMany(ctx context.Context, tenantID string, subs []customers.Subscription) error {
	scs, err := s.customers.Contexts(ctx, tenantID, subs)
	if err != nil {
		return err
	}
	usage, err := newPageUsage(ctx, s.usage, tenantID, scs)
	if err != nil {
		return err
	}
	if err := usage.fetch(ctx); err != nil { // nothing recorded: quantities are read as asked
		return err
	}
	var drafts []Invoice
	collect := func(_ context.Context, inv Invoice) (bool, error) {
		drafts = append(drafts, inv)
		return true, nil
	}
	for _, sc := range scs {
		if _, err := s.open(ctx, usage, sc, collect); err != nil {
			return err
		}
	}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		_, err := s.insertManyTx(tx, drafts)
		return err
	})
	for _, inv := range drafts {
		s.changed(tenantID, inv.CustomerID)
	}
	return err
}
