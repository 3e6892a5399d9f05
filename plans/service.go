package plans

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/store"
	"gorm.io/gorm"
)

// InUseFunc reports whether a plan has subscriptions. It is supplied by the
// package that owns subscriptions, so that plans need not import it.
type InUseFunc func(ctx context.Context, tenantID, planID string) (bool, error)

// Service stores plans and prices.
type Service struct {
	db     *store.DB
	clock  domain.Clock
	meters *meters.Service
	inUse  InUseFunc
}

// NewService returns a Service. inUse may be set later with SetInUse.
func NewService(db *store.DB, clock domain.Clock, ms *meters.Service) *Service {
	return &Service{db: db, clock: clock, meters: ms, inUse: func(context.Context, string, string) (bool, error) { return false, nil }}
}

// SetInUse installs the check that protects plans with subscriptions.
func (s *Service) SetInUse(f InUseFunc) { s.inUse = f }

func (s *Service) meterLookup(ctx context.Context, tenantID string, prices []PriceInput) (MeterLookup, error) {
	var keys []string
	for _, p := range prices {
		if p.Meter != "" {
			keys = append(keys, p.Meter)
		}
	}
	if len(keys) == 0 {
		return MeterLookup{}, nil
	}
	m, err := s.meters.ByKeys(ctx, tenantID, keys)
	return MeterLookup(m), err
}

// Create validates and stores a plan with its prices. A plan key already
// used in the tenant is a conflict.
func (s *Service) Create(ctx context.Context, tenantID string, in CreateInput) (Plan, error) {
	ms, err := s.meterLookup(ctx, tenantID, in.Prices)
	if err != nil {
		return Plan{}, err
	}
	plan, err := in.build(ms)
	if err != nil {
		return Plan{}, err
	}
	now := s.clock.Now(ctx)
	row := planRow{ID: domain.NewID(domain.PrefixPlan), TenantID: tenantID, Key: plan.Key, Name: plan.Name,
		Description: plan.Description, Currency: string(plan.Currency), Interval: string(plan.Interval), CreatedAt: now, UpdatedAt: now}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		if err := insertPrices(tx, tenantID, row.ID, plan.Prices); err != nil {
			return err
		}
		return s.ensureSeries(tx, plan.Prices, ms)
	})
	if err != nil {
		if store.IsUniqueViolation(err) {
			return Plan{}, domain.Conflict("duplicate_key", "a plan with key %q already exists", plan.Key)
		}
		return Plan{}, fmt.Errorf("create plan: %w", err)
	}
	return s.Get(ctx, tenantID, row.ID)
}

// ensureSeries has meters keep (and backfill) the rollups each usage price
// reads, in meter id order so that concurrent transactions lock meters in
// one order.
func (s *Service) ensureSeries(tx *gorm.DB, prices []Price, ms MeterLookup) error {
	byID := map[string]meters.Meter{}
	for _, m := range ms {
		byID[m.ID] = m
	}
	sorted := append([]Price(nil), prices...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].MeterID < sorted[j].MeterID })
	for _, p := range sorted {
		if p.Type != Usage {
			continue
		}
		if err := meters.EnsureSeries(tx, s.db.Dialect, s.clock.Now(tx.Statement.Context), byID[p.MeterID], p.Filters); err != nil {
			return err
		}
	}
	return nil
}

func insertPrices(tx *gorm.DB, tenantID, planID string, prices []Price) error {
	for i, p := range prices {
		p.ID = domain.NewID(domain.PrefixPrice)
		r := toPriceRow(tenantID, planID, i, p)
		if err := tx.Create(&r).Error; err != nil {
			return err
		}
	}
	return nil
}

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
	ms := map[string]meters.Meter{}
	if len(meterIDs) > 0 {
		var err error
		if ms, err = s.meters.ByIDs(ctx, tenantID, meterIDs); err != nil {
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

// Update changes a plan. Name and description may always change; currency,
// interval and prices only while no subscription uses the plan.
func (s *Service) Update(ctx context.Context, tenantID, id string, in UpdateInput) (Plan, error) {
	cur, err := s.Get(ctx, tenantID, id)
	if err != nil {
		return Plan{}, err
	}
	if in.Currency != nil || in.Interval != nil || in.Prices != nil {
		used, err := s.inUse(ctx, tenantID, id)
		if err != nil {
			return Plan{}, err
		}
		if used {
			return Plan{}, domain.Conflict("plan_in_use", "plan %q has subscriptions: its currency, interval and prices are what they were sold and cannot change; create a new plan and move subscriptions with change_plan", cur.Key)
		}
	}
	next := CreateInput{Key: cur.Key, Name: cur.Name, Description: cur.Description, Currency: string(cur.Currency), Interval: string(cur.Interval)}
	if in.Name != nil {
		next.Name = *in.Name
		if strings.TrimSpace(next.Name) == "" {
			return Plan{}, domain.Invalid("name", "must not be blank")
		}
	}
	if in.Description != nil {
		next.Description = *in.Description
	}
	if in.Currency != nil {
		next.Currency = *in.Currency
	}
	if in.Interval != nil {
		next.Interval = *in.Interval
	}
	replacePrices := in.Prices != nil
	if replacePrices {
		next.Prices = *in.Prices
	}
	ms, err := s.meterLookup(ctx, tenantID, next.Prices)
	if err != nil {
		return Plan{}, err
	}
	plan, err := next.build(ms)
	if err != nil {
		return Plan{}, err
	}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(&planRow{}).Where("tenant_id = ? AND id = ?", tenantID, id).Updates(map[string]any{
			"name": plan.Name, "description": plan.Description, "currency": string(plan.Currency),
			"interval": string(plan.Interval), "updated_at": s.clock.Now(ctx)}).Error; err != nil {
			return err
		}
		if !replacePrices {
			return nil
		}
		if err := tx.Where("tenant_id = ? AND plan_id = ?", tenantID, id).Delete(&priceRow{}).Error; err != nil {
			return err
		}
		if err := insertPrices(tx, tenantID, id, plan.Prices); err != nil {
			return err
		}
		return s.ensureSeries(tx, plan.Prices, ms)
	})
	if err != nil {
		return Plan{}, fmt.Errorf("update plan: %w", err)
	}
	return s.Get(ctx, tenantID, id)
}

// Archive stops new subscriptions to the plan; existing ones keep billing.
func (s *Service) Archive(ctx context.Context, tenantID, id string) (Plan, error) {
	p, err := s.Get(ctx, tenantID, id)
	if err != nil {
		return Plan{}, err
	}
	if p.ArchivedAt == nil {
		now := s.clock.Now(ctx)
		if err := s.db.WithContext(ctx).Model(&planRow{}).Where("tenant_id = ? AND id = ?", tenantID, id).
			Updates(map[string]any{"archived_at": now, "updated_at": now}).Error; err != nil {
			return Plan{}, fmt.Errorf("archive plan: %w", err)
		}
	}
	return s.Get(ctx, tenantID, id)
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
