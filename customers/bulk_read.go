package customers

import (
	"context"
	"fmt"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/plans"
)

// idsPerQuery bounds the ids of one IN (…) read.
const idsPerQuery = 500

// byIDs reads the tenant's customers of ids (with their time-zone
// changes, as Get fills them) in a few queries; an id with no customer is
// NotFound, as Get says it.
func (s *Service) byIDs(ctx context.Context, tenantID string, ids []string) (map[string]Customer, error) {
	list, err := s.customersWhere(ctx, tenantID, "id", ids)
	if err != nil {
		return nil, err
	}
	if err := s.withTimezoneChanges(ctx, tenantID, list); err != nil {
		return nil, err
	}
	out := make(map[string]Customer, len(list))
	for _, c := range list {
		out[c.ID] = c
	}
	for _, id := range ids {
		if _, ok := out[id]; !ok {
			return nil, domain.NotFound("customer", id)
		}
	}
	return out, nil
}

// customersWhere reads the tenant's customers whose column (id or
// external_id) is one of values, a few hundred values a query.
func (s *Service) customersWhere(ctx context.Context, tenantID, column string, values []string) ([]Customer, error) {
	var out []Customer
	for from := 0; from < len(values); from += idsPerQuery {
		var rows []customerRow
		chunk := values[from:min(from+idsPerQuery, len(values))]
		if err := s.db.WithContext(ctx).Where("tenant_id = ? AND "+column+" IN ?", tenantID, chunk).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("get customers: %w", err)
		}
		for _, r := range rows {
			out = append(out, r.toCustomer())
		}
	}
	return out, nil
}

// Contexts builds the billing context of several subscriptions: their
// customers in a few set-based reads (an invoice run's page is one or two
// queries, not one per subscription), each distinct plan once. A
// subscription whose customer or plan is gone is NotFound, as Load says.
func (s *Service) Contexts(ctx context.Context, tenantID string, subs []Subscription) ([]Context, error) {
	seen := map[string]bool{}
	var ids []string
	for _, sub := range subs {
		if !seen[sub.CustomerID] {
			seen[sub.CustomerID] = true
			ids = append(ids, sub.CustomerID)
		}
	}
	custs, err := s.byIDs(ctx, tenantID, ids)
	if err != nil {
		return nil, err
	}
	ps := map[string]plans.Plan{}
	out := make([]Context, len(subs))
	for i, sub := range subs {
		p, ok := ps[sub.PlanID]
		if !ok {
			if p, err = s.plans.Get(ctx, tenantID, sub.PlanID); err != nil {
				return nil, err
			}
			ps[sub.PlanID] = p
		}
		out[i] = Context{Subscription: sub, Customer: custs[sub.CustomerID], Plan: p}
	}
	return out, nil
}
