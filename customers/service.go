package customers

import (
	"context"

	"fmt"
	"strings"
	"time"

	"github.com/tallyhq/tally/calendar"

	"github.com/tallyhq/tally/customers/cycle"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/plans"
	"github.com/tallyhq/tally/store"
	"gorm.io/gorm"
)

// MaxTrialDays bounds trial_days.
const MaxTrialDays = 730

// Service stores customers and subscriptions.
type Service struct {
	db          *store.DB
	clock       domain.Clock
	plans       *plans.Service
	onSubscribe func(ctx context.Context, sub Subscription) error
}

// SetOnSubscribe installs what runs after a subscription is created
// (invoicing drafts its subscription_start invoice). If it fails the
// subscription still stands: an invoice run drafts any missing start
// invoice.
func (s *Service) SetOnSubscribe(f func(ctx context.Context, sub Subscription) error) {
	s.onSubscribe = f
}

// NewService returns a Service, and tells plans how to know a plan is in use.
func NewService(db *store.DB, clock domain.Clock, ps *plans.Service) *Service {
	s := &Service{db: db, clock: clock, plans: ps}
	ps.SetInUse(s.planInUse)
	return s
}

// Create stores a customer; an external_id already used is a conflict.
func (s *Service) Create(ctx context.Context, tenantID string, in CreateInput) (Customer, error) {
	if err := in.Validate(); err != nil {
		return Customer{}, err
	}
	cur, _ := domain.ParseCurrency(in.Currency)
	tz := in.Timezone
	if tz == "" {
		tz = "UTC"
	}
	now := s.clock.Now(ctx)
	name := strings.TrimSpace(in.Name)
	if name == "" {
		name = in.ExternalID
	}
	r := customerRow{ID: domain.NewID(domain.PrefixCustomer), TenantID: tenantID, ExternalID: strings.TrimSpace(in.ExternalID),
		Name: name, Email: strings.TrimSpace(in.Email), Currency: string(cur), Timezone: tz, CreatedAt: now, UpdatedAt: now}
	if err := s.db.WithContext(ctx).Create(&r).Error; err != nil {
		if store.IsUniqueViolation(err) {
			return Customer{}, domain.Conflict("duplicate_key", "a customer with external_id %q already exists", in.ExternalID)
		}
		return Customer{}, fmt.Errorf("create customer: %w", err)
	}
	return r.toCustomer(), nil
}

// Get reads a customer by id.
func (s *Service) Get(ctx context.Context, tenantID, id string) (Customer, error) {
	var r customerRow
	if err := s.db.WithContext(ctx).Where("tenant_id = ? AND id = ?", tenantID, id).Take(&r).Error; err != nil {
		if store.IsNotFound(err) {
			return Customer{}, domain.NotFound("customer", id)
		}
		return Customer{}, fmt.Errorf("get customer: %w", err)
	}
	out := []Customer{r.toCustomer()}
	if err := s.withTimezoneChanges(ctx, tenantID, out); err != nil {
		return Customer{}, err
	}
	return out[0], nil
}

// GetByExternalID reads a customer by external_id.
func (s *Service) GetByExternalID(ctx context.Context, tenantID, externalID string) (Customer, error) {
	var r customerRow
	if err := s.db.WithContext(ctx).Where("tenant_id = ? AND external_id = ?", tenantID, externalID).Take(&r).Error; err != nil {
		if store.IsNotFound(err) {
			return Customer{}, domain.NotFound("customer", externalID)
		}
		return Customer{}, fmt.Errorf("get customer: %w", err)
	}
	return r.toCustomer(), nil
}

// List lists customers, oldest first.
func (s *Service) List(ctx context.Context, tenantID string, page domain.Page) (domain.List[Customer], error) {
	page, err := page.Normalize()
	if err != nil {
		return domain.List[Customer]{}, err
	}
	q := s.db.WithContext(ctx).Where("tenant_id = ?", tenantID)
	if page.Cursor != "" {
		q = q.Where("id > ?", page.Cursor)
	}
	var rows []customerRow
	if err := q.Order("id").Limit(page.Limit + 1).Find(&rows).Error; err != nil {
		return domain.List[Customer]{}, fmt.Errorf("list customers: %w", err)
	}
	out := make([]Customer, len(rows))
	for i, r := range rows {
		out[i] = r.toCustomer()
	}
	return domain.PageOf(out, page.Limit, func(c Customer) string { return c.ID }), nil
}

// Update changes a customer's name, email, time zone, or (while it has no
// subscription) currency.
func (s *Service) Update(ctx context.Context, tenantID, id string, in UpdateInput) (Customer, error) {
	c, err := s.Get(ctx, tenantID, id)
	if err != nil {
		return Customer{}, err
	}
	var p domain.Problems
	validateCommon(&p, in.Email, in.Currency, in.Timezone)
	if in.Name != nil && strings.TrimSpace(*in.Name) == "" {
		p.Add("name", "must not be blank")
	}
	if err := p.Err(); err != nil {
		return Customer{}, err
	}
	updates := map[string]any{"updated_at": s.clock.Now(ctx)}
	if in.Name != nil {
		updates["name"] = strings.TrimSpace(*in.Name)
	}
	if in.Email != nil {
		updates["email"] = strings.TrimSpace(*in.Email)
	}
	newZone := ""
	if in.Timezone != nil {
		tz := *in.Timezone
		if tz == "" {
			tz = "UTC"
		}
		updates["timezone"] = tz
		if cur := c.Timezone; tz != cur && !(cur == "" && tz == "UTC") {
			newZone = tz
		}
	}
	if in.Currency != nil {
		cur, _ := domain.ParseCurrency(*in.Currency)
		if cur != c.Currency {
			var n int64
			if err := s.db.WithContext(ctx).Model(&subscriptionRow{}).Where("tenant_id = ? AND customer_id = ?", tenantID, id).Count(&n).Error; err != nil {
				return Customer{}, fmt.Errorf("count subscriptions: %w", err)
			}
			if n > 0 {
				return Customer{}, domain.Conflict("customer_in_use", "customer %q has subscriptions; its currency cannot change", c.ExternalID)
			}
		}
		updates["currency"] = string(cur)
	}
	// A change of zone is recorded with the instant it was made: periods
	// that have begun keep their boundaries (pricing.md, Periods).
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if newZone != "" {
			if err := recordTimezoneChange(tx, c, newZone, s.clock.Now(ctx)); err != nil {
				return err
			}
		}
		return tx.Model(&customerRow{}).Where("tenant_id = ? AND id = ?", tenantID, id).Updates(updates).Error
	})
	if err != nil {
		return Customer{}, fmt.Errorf("update customer: %w", err)
	}
	return s.Get(ctx, tenantID, id)
}

func (s *Service) planInUse(ctx context.Context, tenantID, planID string) (bool, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&subscriptionRow{}).Where("tenant_id = ? AND plan_id = ?", tenantID, planID).Count(&n).Error; err != nil {
		return false, fmt.Errorf("count subscriptions: %w", err)
	}
	return n > 0, nil
}

// CreateSubscription subscribes a customer (by external_id) to a plan (by
// key). The plan must not be archived and must share the customer's
// currency; both problems, and unknown names, are validation errors.
func (s *Service) CreateSubscription(ctx context.Context, tenantID string, in CreateSubscriptionInput) (Subscription, error) {
	r, cust, plan, err := s.newSubscription(ctx, tenantID, in)
	if err != nil {
		return Subscription{}, err
	}
	if err := s.db.WithContext(ctx).Create(&r).Error; err != nil {
		return Subscription{}, fmt.Errorf("create subscription: %w", err)
	}
	sub := r.toSubscription(cust.ExternalID, plan.Key)
	if s.onSubscribe != nil {
		if err := s.onSubscribe(ctx, sub); err != nil {
			return sub, fmt.Errorf("subscription %s was created, but its first invoice was not drafted (the next invoice run will): %w", sub.ID, err)
		}
	}
	return sub, nil
}

// newSubscription validates in and builds the row to store.
func (s *Service) newSubscription(ctx context.Context, tenantID string, in CreateSubscriptionInput) (subscriptionRow, Customer, plans.Plan, error) {
	var p domain.Problems
	var cust Customer
	var plan plans.Plan
	if strings.TrimSpace(in.Customer) == "" {
		p.Add("customer", "is required (the customer's external_id)")
	} else if c, err := s.GetByExternalID(ctx, tenantID, in.Customer); err != nil {
		if domain.KindOf(err) != domain.KindNotFound {
			return subscriptionRow{}, Customer{}, plans.Plan{}, err
		}
		p.Add("customer", "no customer with external_id %q", in.Customer)
	} else {
		cust = c
	}
	if strings.TrimSpace(in.Plan) == "" {
		p.Add("plan", "is required (a plan key)")
	} else if pl, err := s.plans.GetByKey(ctx, tenantID, in.Plan); err != nil {
		if domain.KindOf(err) != domain.KindNotFound {
			return subscriptionRow{}, Customer{}, plans.Plan{}, err
		}
		p.Add("plan", "no plan with key %q", in.Plan)
	} else if pl.ArchivedAt != nil {
		p.Add("plan", "plan %q is archived", in.Plan)
	} else {
		plan = pl
	}
	if cust.ID != "" && plan.ID != "" && cust.Currency != plan.Currency {
		p.Add("plan", "plan %q is in %s but customer %q pays in %s", plan.Key, plan.Currency, cust.ExternalID, cust.Currency)
	}
	kind := cycle.Kind(in.BillingCycle)
	if kind == "" {
		kind = cycle.Calendar
	}
	if !kind.Valid() {
		p.Add("billing_cycle", "unknown billing cycle %q (calendar or anniversary)", in.BillingCycle)
	}
	if in.TrialDays < 0 || in.TrialDays > MaxTrialDays {
		p.Add("trial_days", "must be between 0 and %d", MaxTrialDays)
	}
	if in.StartAt != nil {
		domain.AddInstantProblem(&p, "start_at", *in.StartAt)
	}
	if err := p.Err(); err != nil {
		return subscriptionRow{}, Customer{}, plans.Plan{}, err
	}
	now := s.clock.Now(ctx)
	start := now
	if in.StartAt != nil {
		start = in.StartAt.UTC()
	}
	r := subscriptionRow{ID: domain.NewID(domain.PrefixSubscription), TenantID: tenantID, CustomerID: cust.ID, PlanID: plan.ID,
		StartAt: start, BillingCycle: string(kind), TrialDays: in.TrialDays, SkipStartInvoice: in.SkipStartInvoice,
		AnchorAt: utcPtr(in.AnchorAt), CreatedAt: now, UpdatedAt: now}
	if in.PreviousSubscriptionID != "" {
		prev := in.PreviousSubscriptionID
		r.PreviousSubscriptionID = &prev
	}
	if in.TrialDays > 0 {
		// The trial ends at 00:00 in the customer's zone on the local date
		// trial_days after the start's local date (pricing.md, Trials).
		loc := cust.Location()
		end := calendar.DayStart(calendar.DateOf(start, loc).AddDays(in.TrialDays), loc)
		r.TrialEnd = &end
	}
	return r, cust, plan, nil
}

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

// SetEnd records that a subscription ends at endsAt (a cancellation or a
// plan change), asked for now (kept as canceled_at: whether the last
// period's advance fee is prorated or credited depends on it). A
// subscription that already ended, or that a plan change already replaced,
// is a conflict; one whose end lies ahead may be given a new end. The check
// and the write are one conditional UPDATE, so two racing requests cannot
// both pass the check.
func (s *Service) SetEnd(ctx context.Context, tenantID, id string, endsAt time.Time, reason EndReason, prorate bool) (Subscription, error) {
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		return s.setEnd(ctx, tx, tenantID, id, endsAt, reason, prorate)
	})
	if err != nil {
		return Subscription{}, err
	}
	return s.GetSubscription(ctx, tenantID, id)
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

// ReplaceSubscription ends subscription id at `at` for a plan change and
// starts its successor there (in, with PreviousSubscriptionID set), in one
// transaction: either both happen or neither. The successor keeps the
// predecessor's period grid (AnchorAt) unless in sets one. No
// subscription_start hook runs for the successor: its first fee sits on the
// plan_change invoice, or, for a change at a period's end, on its own
// subscription_start invoice drafted by the first invoice run after it
// begins.
func (s *Service) ReplaceSubscription(ctx context.Context, tenantID, id string, at time.Time, in CreateSubscriptionInput) (old, next Subscription, err error) {
	prev, err := s.GetSubscription(ctx, tenantID, id)
	if err != nil {
		return Subscription{}, Subscription{}, err
	}
	in.PreviousSubscriptionID = id
	in.StartAt = &at
	if in.AnchorAt == nil {
		anchor := prev.BillingStart()
		if prev.AnchorAt != nil {
			anchor = *prev.AnchorAt
		}
		in.AnchorAt = &anchor
	}
	r, cust, plan, err := s.newSubscription(ctx, tenantID, in)
	if err != nil {
		return Subscription{}, Subscription{}, err
	}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := s.setEnd(ctx, tx, tenantID, id, at, EndPlanChange, false); err != nil {
			return err
		}
		return tx.Create(&r).Error
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
