package plans

import (
	"context"
	"fmt"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
)

// Get reads a plan with its prices by id.
func (s *Service) Get(ctx context.Context, tenantID, id string) (Plan, error) {
	var r planRow
	if err := s.db.WithContext(ctx).Where("tenant_id = ? AND id = ?", tenantID, id).Take(&r).Error; err != nil {
		if store.IsNotFound(err) {
			return Plan{}, domain.NotFound("plan", id)
		}
		return Plan{}, fmt.Errorf("get plan: %w", err)
	}
	plans, err := s.withPrices(ctx, tenantID, []planRow{r})
	if err != nil {
		return Plan{}, err
	}
	return plans[0], nil
}

// GetByKey reads a plan by key.
func (s *Service) GetByKey(ctx context.Context, tenantID, key string) (Plan, error) {
	var r planRow
	if err := s.db.WithContext(ctx).Where("tenant_id = ? AND key = ?", tenantID, key).Take(&r).Error; err != nil {
		if store.IsNotFound(err) {
			return Plan{}, domain.NotFound("plan", key)
		}
		return Plan{}, fmt.Errorf("get plan: %w", err)
	}
	return s.Get(ctx, tenantID, r.ID)
}

// List lists plans, oldest first; archived ones only when asked.
func (s *Service) List(ctx context.Context, tenantID string, page domain.Page, includeArchived bool) (domain.List[Plan], error) {
	page, err := page.Normalize()
	if err != nil {
		return domain.List[Plan]{}, err
	}
	q := s.db.WithContext(ctx).Where("tenant_id = ?", tenantID)
	if !includeArchived {
		q = q.Where("archived_at IS NULL")
	}
	if page.Cursor != "" {
		q = q.Where("id > ?", page.Cursor)
	}
	var rows []planRow
	if err := q.Order("id").Limit(page.Limit + 1).Find(&rows).Error; err != nil {
		return domain.List[Plan]{}, fmt.Errorf("list plans: %w", err)
	}
	out, err := s.withPrices(ctx, tenantID, rows)
	if err != nil {
		return domain.List[Plan]{}, err
	}
	return domain.PageOf(out, page.Limit, func(p Plan) string { return p.ID }), nil
}

// withPrices loads the prices of the plans in two queries.
func (s *Service) withPrices(ctx context.Context, tenantID string, rows []planRow) ([]Plan, error) {
	if len(rows) == 0 {
		return []Plan{}, nil
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var prs []priceRow
	if err := s.db.WithContext(ctx).Where("tenant_id = ? AND plan_id IN ?", tenantID, ids).Order("plan_id, position").Find(&prs).Error; err != nil {
		return nil, fmt.Errorf("load prices: %w", err)
	}
	var meterIDs []string
	for _, p := range prs {
		if p.MeterID != nil {
			meterIDs = append(meterIDs, *p.MeterID)
		}
	}
	ms := map[string]Meter{}
	if len(meterIDs) > 0 {
		var err error
		if ms, err = s.meters.MetersByID(ctx, tenantID, meterIDs); err != nil {
			return nil, err
		}
	}
	byPlan := map[string][]Price{}
	for _, p := range prs {
		price, err := p.toPrice(ms)
		if err != nil {
			return nil, err
		}
		byPlan[p.PlanID] = append(byPlan[p.PlanID], price)
	}
	out := make([]Plan, len(rows))
	for i, r := range rows {
		plan, err := r.toPlan(byPlan[r.ID])
		if err != nil {
			return nil, err
		}
		out[i] = plan
	}
	return out, nil
}

// KeysByIDs maps plan ids to their keys (archived plans included).
func (s *Service) KeysByIDs(ctx context.Context, tenantID string, ids []string) (map[string]string, error) {
	var rows []planRow
	if err := s.db.WithContext(ctx).Select("id, key").Where("tenant_id = ? AND id IN ?", tenantID, ids).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("plan keys: %w", err)
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Key
	}
	return out, nil
}
