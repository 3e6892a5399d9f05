package customers

import (
	"context"
	"fmt"

	"github.com/tallyhq/tally/store"
)

// PlanUsage answers whether a plan has subscriptions (plans.PlanUsage). It
// reads only the subscriptions table, so app builds it before the plans
// service, which needs it, and before the customers service, which needs
// plans.
type PlanUsage struct{ db *store.DB }

// NewPlanUsage returns the PlanUsage of db.
func NewPlanUsage(db *store.DB) PlanUsage { return PlanUsage{db: db} }

// PlanInUse reports whether any subscription, ended or not, names the plan.
func (u PlanUsage) PlanInUse(ctx context.Context, tenantID, planID string) (bool, error) {
	var n int64
	if err := u.db.WithContext(ctx).Model(&subscriptionRow{}).Where("tenant_id = ? AND plan_id = ?", tenantID, planID).Count(&n).Error; err != nil {
		return false, fmt.Errorf("count subscriptions: %w", err)
	}
	return n > 0, nil
}
