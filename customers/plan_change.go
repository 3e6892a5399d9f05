package customers

import (
	"context"
	"fmt"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
	"gorm.io/gorm"
)

// ReplaceSubscription ends subscription id at `at` for a plan change and
// starts its successor there (in, with PreviousSubscriptionID set), in one
// transaction: either both happen or neither. The predecessor's external_id
// moves to the successor unless in names another. The successor keeps the
// predecessor's period grid (AnchorAt) unless in sets one. No
// subscription_start hook runs for the successor: its first fee sits on the
// plan_change invoice, or, for a change at a period's end, on its own
// subscription_start invoice drafted by the first invoice run after it
// begins. Each of then runs in the same transaction after both writes.
func (s *Service) ReplaceSubscription(ctx context.Context, tenantID, id string, at time.Time, in CreateSubscriptionInput, then ...func(tx *gorm.DB) error) (old, next Subscription, err error) {
	prev, err := s.GetSubscription(ctx, tenantID, id)
	if err != nil {
		return Subscription{}, Subscription{}, err
	}
	defer domain.Notify(s.notify, domain.Change{TenantID: tenantID, CustomerID: prev.CustomerID})
	in.PreviousSubscriptionID = id
	in.StartAt = &at
	if in.AnchorAt == nil {
		anchor := prev.BillingStart()
		if prev.AnchorAt != nil {
			anchor = *prev.AnchorAt
		}
		in.AnchorAt = &anchor
	}
	if in.ExternalID == "" {
		// The external id moves to the successor (as Lago's does), so
		// events sent by it keep reaching the live subscription.
		in.ExternalID = prev.ExternalID
	}
	r, cust, plan, err := s.newSubscription(ctx, tenantID, in)
	if err != nil {
		return Subscription{}, Subscription{}, err
	}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := s.setEnd(ctx, tx, tenantID, id, at, EndPlanChange, false); err != nil {
			return err
		}
		if prev.ExternalID != "" {
			if err := tx.Model(&subscriptionRow{}).Where("tenant_id = ? AND id = ?", tenantID, id).Update("external_id", nil).Error; err != nil {
				return err
			}
		}
		if err := tx.Create(&r).Error; err != nil {
			if store.IsUniqueViolation(err) && r.ExternalID != nil {
				return duplicateExternalID(*r.ExternalID)
			}
			return err
		}
		return runHooks(tx, then)
	})
	if err != nil {
		if domain.KindOf(err) != "" {
			return Subscription{}, Subscription{}, err
		}
		return Subscription{}, Subscription{}, fmt.Errorf("change plan: %w", err)
	}
	if old, err = s.GetSubscription(ctx, tenantID, id); err != nil {
		return Subscription{}, Subscription{}, err
	}
	return old, r.toSubscription(cust.ExternalID, plan.Key), nil
}

// Successor returns the subscription a plan change started in place of id.
func (s *Service) Successor(ctx context.Context, tenantID, id string) (Subscription, error) {
	var r subscriptionRow
	if err := s.db.WithContext(ctx).Where("tenant_id = ? AND previous_subscription_id = ?", tenantID, id).Take(&r).Error; err != nil {
		if store.IsNotFound(err) {
			return Subscription{}, domain.NotFound("successor of subscription", id)
		}
		return Subscription{}, fmt.Errorf("find successor: %w", err)
	}
	return s.GetSubscription(ctx, tenantID, r.ID)
}
