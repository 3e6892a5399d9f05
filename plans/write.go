package plans

import (
	"context"
	"fmt"
	"strings"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
	"gorm.io/gorm"
)

// Create validates and stores a plan with its prices. A plan key already
// used in the tenant is a conflict.
func (s *Service) Create(ctx context.Context, tenantID string, in CreateInput) (Plan, error) {
	ms, err := s.meterLookup(ctx, tenantID, in.Prices, in.ExternalCosts)
	if err != nil {
		return Plan{}, err
	}
	plan, err := in.build(ms)
	if err != nil {
		return Plan{}, err
	}
	now := s.clock.Now(ctx)
	row := planRow{ID: domain.NewID(domain.PrefixPlan), TenantID: tenantID, Key: plan.Key, Name: plan.Name,
		Description: plan.Description, ExternalCosts: encodeExternalCosts(plan.ExternalCosts), Currency: string(plan.Currency), Interval: string(plan.Interval), CreatedAt: now, UpdatedAt: now}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		if err := insertPrices(tx, tenantID, row.ID, plan.Prices); err != nil {
			return err
		}
		return s.keepSeries(tx, tenantID, plan.Prices)
	})
	if err != nil {
		if store.IsUniqueViolation(err) {
			return Plan{}, domain.Conflict("duplicate_key", "a plan with key %q already exists", plan.Key)
		}
		return Plan{}, fmt.Errorf("create plan: %w", err)
	}
	return s.Get(ctx, tenantID, row.ID)
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

// Update changes a plan. Name and description may always change; currency,
// interval and prices only while no subscription uses the plan.
func (s *Service) Update(ctx context.Context, tenantID, id string, in UpdateInput) (Plan, error) {
	defer domain.Notify(s.notify, domain.Change{TenantID: tenantID})
	cur, err := s.Get(ctx, tenantID, id)
	if err != nil {
		return Plan{}, err
	}
	if in.Currency != nil || in.Interval != nil || in.Prices != nil {
		used, err := s.usage.PlanInUse(ctx, tenantID, id)
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
	next.ExternalCosts = externalInputs(cur.ExternalCosts)
	if in.ExternalCosts != nil {
		next.ExternalCosts = *in.ExternalCosts
	}
	replacePrices := in.Prices != nil
	if replacePrices {
		next.Prices = *in.Prices
	}
	ms, err := s.meterLookup(ctx, tenantID, next.Prices, next.ExternalCosts)
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
			"interval": string(plan.Interval), "external_costs": encodeExternalCosts(plan.ExternalCosts), "updated_at": s.clock.Now(ctx)}).Error; err != nil {
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
		return s.keepSeries(tx, tenantID, plan.Prices)
	})
	if err != nil {
		return Plan{}, fmt.Errorf("update plan: %w", err)
	}
	return s.Get(ctx, tenantID, id)
}

// Archive stops new subscriptions to the plan; existing ones keep billing.
func (s *Service) Archive(ctx context.Context, tenantID, id string) (Plan, error) {
	defer domain.Notify(s.notify, domain.Change{TenantID: tenantID})
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

// Draft validates the input exactly as Create does and returns the plan it
// describes without storing anything (ids empty): the console's editor
// prices a plan with it (advisor.QuotePlan) while it is being written, and
// shows the same field problems Create would report.
func (s *Service) Draft(ctx context.Context, tenantID string, in CreateInput) (Plan, error) {
	ms, err := s.meterLookup(ctx, tenantID, in.Prices, in.ExternalCosts)
	if err != nil {
		return Plan{}, err
	}
	return in.build(ms)
}
