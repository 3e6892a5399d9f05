package customers

import (
	"context"
	"fmt"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
)

// GetSubscription reads a subscription by id.
func (s *Service) GetSubscription(ctx context.Context, tenantID, id string) (Subscription, error) {
	var r subscriptionRow
	if err := s.db.WithContext(ctx).Where("tenant_id = ? AND id = ?", tenantID, id).Take(&r).Error; err != nil {
		if store.IsNotFound(err) {
			return Subscription{}, domain.NotFound("subscription", id)
		}
		return Subscription{}, fmt.Errorf("get subscription: %w", err)
	}
	subs, err := s.decorate(ctx, tenantID, []subscriptionRow{r})
	if err != nil {
		return Subscription{}, err
	}
	return subs[0], nil
}

// GetSubscriptionByExternalID reads a subscription by its external_id.
func (s *Service) GetSubscriptionByExternalID(ctx context.Context, tenantID, externalID string) (Subscription, error) {
	var r subscriptionRow
	if err := s.db.WithContext(ctx).Where("tenant_id = ? AND external_id = ?", tenantID, externalID).Take(&r).Error; err != nil {
		if store.IsNotFound(err) {
			return Subscription{}, domain.NotFound("subscription", externalID)
		}
		return Subscription{}, fmt.Errorf("get subscription: %w", err)
	}
	subs, err := s.decorate(ctx, tenantID, []subscriptionRow{r})
	if err != nil {
		return Subscription{}, err
	}
	return subs[0], nil
}

// SubscriptionQuery filters ListSubscriptions.
type SubscriptionQuery struct {
	CustomerID string
	PlanID     string
}

// ListSubscriptions lists subscriptions, oldest first.
func (s *Service) ListSubscriptions(ctx context.Context, tenantID string, q SubscriptionQuery, page domain.Page) (domain.List[Subscription], error) {
	page, err := page.Normalize()
	if err != nil {
		return domain.List[Subscription]{}, err
	}
	db := s.db.WithContext(ctx).Where("tenant_id = ?", tenantID)
	if q.CustomerID != "" {
		db = db.Where("customer_id = ?", q.CustomerID)
	}
	if q.PlanID != "" {
		db = db.Where("plan_id = ?", q.PlanID)
	}
	if page.Cursor != "" {
		db = db.Where("id > ?", page.Cursor)
	}
	var rows []subscriptionRow
	if err := db.Order("id").Limit(page.Limit + 1).Find(&rows).Error; err != nil {
		return domain.List[Subscription]{}, fmt.Errorf("list subscriptions: %w", err)
	}
	subs, err := s.decorate(ctx, tenantID, rows)
	if err != nil {
		return domain.List[Subscription]{}, err
	}
	return domain.PageOf(subs, page.Limit, func(x Subscription) string { return x.ID }), nil
}

// decorate adds customer external ids and plan keys.
func (s *Service) decorate(ctx context.Context, tenantID string, rows []subscriptionRow) ([]Subscription, error) {
	if len(rows) == 0 {
		return []Subscription{}, nil
	}
	custIDs := map[string]bool{}
	planIDs := map[string]bool{}
	for _, r := range rows {
		custIDs[r.CustomerID] = true
		planIDs[r.PlanID] = true
	}
	var custs []customerRow
	if err := s.db.WithContext(ctx).Where("tenant_id = ? AND id IN ?", tenantID, keys(custIDs)).Find(&custs).Error; err != nil {
		return nil, fmt.Errorf("load customers: %w", err)
	}
	ext := map[string]string{}
	for _, c := range custs {
		ext[c.ID] = c.ExternalID
	}
	pk, err := s.plans.KeysByIDs(ctx, tenantID, keys(planIDs))
	if err != nil {
		return nil, err
	}
	out := make([]Subscription, len(rows))
	for i, r := range rows {
		out[i] = r.toSubscription(ext[r.CustomerID], pk[r.PlanID])
	}
	return out, nil
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
