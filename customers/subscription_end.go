package customers

import (
	"context"
	"fmt"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
	"gorm.io/gorm"
)

// SetEnd records that a subscription ends at endsAt (a cancellation or a
// plan change), asked for now (kept as canceled_at: whether the last
// period's advance fee is prorated or credited depends on it). A
// subscription that already ended, or that a plan change already replaced,
// is a conflict; one whose end lies ahead may be given a new end. The check
// and the write are one conditional UPDATE, so two racing requests cannot
// both pass the check. Each of then runs in the same transaction after the
// write (invoicing reports the cancellation there, so the report commits
// or rolls back with it).
func (s *Service) SetEnd(ctx context.Context, tenantID, id string, endsAt time.Time, reason EndReason, prorate bool, then ...func(tx *gorm.DB) error) (Subscription, error) {
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := s.setEnd(ctx, tx, tenantID, id, endsAt, reason, prorate); err != nil {
			return err
		}
		return runHooks(tx, then)
	})
	if err != nil {
		return Subscription{}, err
	}
	sub, err := s.GetSubscription(ctx, tenantID, id)
	// Committed: tell the notifier (the whole tenant if the read failed).
	domain.Notify(s.notify, domain.Change{TenantID: tenantID, CustomerID: sub.CustomerID})
	return sub, err
}

// runHooks runs a write's hooks inside its transaction, stopping at the
// first error.
func runHooks(tx *gorm.DB, hooks []func(tx *gorm.DB) error) error {
	for _, h := range hooks {
		if err := h(tx); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) setEnd(ctx context.Context, tx *gorm.DB, tenantID, id string, endsAt time.Time, reason EndReason, prorate bool) error {
	now := s.clock.Now(ctx)
	res := tx.Model(&subscriptionRow{}).
		Where("tenant_id = ? AND id = ? AND (ends_at IS NULL OR ends_at > ?) AND end_reason <> ?", tenantID, id, now, string(EndPlanChange)).
		Updates(map[string]any{"ends_at": endsAt.UTC(), "canceled_at": now, "end_reason": string(reason), "cancel_prorate": prorate, "updated_at": now})
	if res.Error != nil {
		return fmt.Errorf("end subscription: %w", res.Error)
	}
	if res.RowsAffected == 1 {
		return nil
	}
	var r subscriptionRow
	if err := tx.Where("tenant_id = ? AND id = ?", tenantID, id).Take(&r).Error; err != nil {
		if store.IsNotFound(err) {
			return domain.NotFound("subscription", id)
		}
		return fmt.Errorf("get subscription: %w", err)
	}
	if r.EndReason == string(EndPlanChange) {
		return domain.Conflict("invalid_state", "subscription %s was replaced by a plan change; change or cancel its successor", id)
	}
	return domain.Conflict("invalid_state", "subscription %s already ended at %s", id, r.EndsAt.UTC().Format(time.RFC3339))
}
