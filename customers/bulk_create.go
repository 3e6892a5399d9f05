package customers

import (
	"context"
	"fmt"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/plans"
	"github.com/tallyhq/tally/store"
	"gorm.io/gorm"
)

// rowsPerInsert bounds the rows of one multi-row INSERT (SQLite allows
// 32,766 bound values; a subscription row has 18).
const rowsPerInsert = 500

// CreateMany stores several customers at once, each exactly as Create
// would (the same validation, defaults and rows), in one transaction of
// multi-row inserts: all are stored or none. An invalid input is its
// validation error, prefixed with its index; an external_id already used
// (in the tenant or twice in ins) is a conflict.
func (s *Service) CreateMany(ctx context.Context, tenantID string, ins []CreateInput) ([]Customer, error) {
	now := s.clock.Now(ctx)
	rows := make([]customerRow, len(ins))
	for i, in := range ins {
		r, err := newCustomerRow(tenantID, in, now)
		if err != nil {
			return nil, fmt.Errorf("customer %d: %w", i, err)
		}
		rows[i] = r
	}
	if len(rows) > 0 {
		if err := s.db.Tx(ctx, func(tx *gorm.DB) error { return tx.CreateInBatches(&rows, rowsPerInsert).Error }); err != nil {
			if store.IsUniqueViolation(err) {
				return nil, domain.Conflict("duplicate_key", "an external_id of these customers is already used")
			}
			return nil, fmt.Errorf("create customers: %w", err)
		}
	}
	out := make([]Customer, len(rows))
	for i, r := range rows {
		out[i] = r.toCustomer()
	}
	return out, nil
}

// CreateSubscriptions stores several subscriptions at once, each exactly
// as CreateSubscription would (the same validation and rows), reading
// their customers in a few set-based queries and each plan once, and
// writing them in one transaction of multi-row inserts: all are stored or
// none. An invalid input is its validation error, prefixed with its index.
// Like CreateSubscription it drafts no invoice (invoicing.Service.SubscribeMany
// does).
func (s *Service) CreateSubscriptions(ctx context.Context, tenantID string, ins []CreateSubscriptionInput) ([]Subscription, error) {
	exts := make([]string, 0, len(ins))
	for _, in := range ins {
		exts = append(exts, in.Customer)
	}
	custs, err := s.byExternalIDs(ctx, tenantID, exts)
	if err != nil {
		return nil, err
	}
	ps := map[string]plans.Plan{}
	from := subjects{
		customer: func(_ context.Context, _, ext string) (Customer, error) {
			if c, ok := custs[ext]; ok {
				return c, nil
			}
			return Customer{}, domain.NotFound("customer", ext)
		},
		plan: func(ctx context.Context, tenantID, key string) (plans.Plan, error) {
			if p, ok := ps[key]; ok {
				return p, nil
			}
			p, err := s.plans.GetByKey(ctx, tenantID, key)
			if err == nil {
				ps[key] = p
			}
			return p, err
		},
	}
	rows := make([]subscriptionRow, len(ins))
	out := make([]Subscription, len(ins))
	for i, in := range ins {
		r, cust, plan, err := s.buildSubscription(ctx, tenantID, in, from)
		if err != nil {
			return nil, fmt.Errorf("subscription %d: %w", i, err)
		}
		rows[i], out[i] = r, r.toSubscription(cust.ExternalID, plan.Key)
	}
	if len(rows) == 0 {
		return out, nil
	}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error { return tx.CreateInBatches(&rows, rowsPerInsert).Error })
	if err != nil {
		if store.IsUniqueViolation(err) {
			return nil, domain.Conflict("duplicate_key", "an external_id of these subscriptions is already used")
		}
		return nil, fmt.Errorf("create subscriptions: %w", err)
	}
	for _, r := range rows {
		domain.Notify(s.notify, domain.Change{TenantID: tenantID, CustomerID: r.CustomerID})
	}
	return out, nil
}

// byExternalIDs reads the tenant's customers of the external ids that
// exist, by external id, in a few queries.
func (s *Service) byExternalIDs(ctx context.Context, tenantID string, exts []string) (map[string]Customer, error) {
	list, err := s.customersWhere(ctx, tenantID, "external_id", exts)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Customer, len(list))
	for _, c := range list {
		out[c.ExternalID] = c
	}
	return out, nil
}
