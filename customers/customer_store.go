package customers

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
	"gorm.io/gorm"
)

// Create stores a customer; an external_id already used is a conflict.
func (s *Service) Create(ctx context.Context, tenantID string, in CreateInput) (Customer, error) {
	r, err := newCustomerRow(tenantID, in, s.clock.Now(ctx))
	if err != nil {
		return Customer{}, err
	}
	if err := s.db.WithContext(ctx).Create(&r).Error; err != nil {
		if store.IsUniqueViolation(err) {
			return Customer{}, domain.Conflict("duplicate_key", "a customer with external_id %q already exists", in.ExternalID)
		}
		return Customer{}, fmt.Errorf("create customer: %w", err)
	}
	return r.toCustomer(), nil
}

// newCustomerRow validates in and builds the row Create stores: name
// defaults to the external_id, timezone to UTC.
func newCustomerRow(tenantID string, in CreateInput, now time.Time) (customerRow, error) {
	if err := in.Validate(); err != nil {
		return customerRow{}, err
	}
	cur, _ := domain.ParseCurrency(in.Currency)
	tz := in.Timezone
	if tz == "" {
		tz = "UTC"
	}
	name := strings.TrimSpace(in.Name)
	if name == "" {
		name = in.ExternalID
	}
	return customerRow{ID: domain.NewID(domain.PrefixCustomer), TenantID: tenantID, ExternalID: strings.TrimSpace(in.ExternalID),
		Name: name, Email: strings.TrimSpace(in.Email), Currency: string(cur), Timezone: tz,
		LowCreditThreshold: lowCreditText(in.LowCreditThreshold), CreatedAt: now, UpdatedAt: now}, nil
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
	defer domain.Notify(s.notify, domain.Change{TenantID: tenantID, CustomerID: id})
	c, err := s.Get(ctx, tenantID, id)
	if err != nil {
		return Customer{}, err
	}
	var p domain.Problems
	validateCommon(&p, in.Email, in.Currency, in.Timezone)
	if in.Name != nil && strings.TrimSpace(*in.Name) == "" {
		p.Add("name", "must not be blank")
	}
	if in.LowCreditThreshold != nil {
		in.LowCreditThreshold.Validate(&p, "low_credit_threshold")
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
	if in.LowCreditThreshold != nil {
		updates["low_credit_threshold"] = lowCreditText(in.LowCreditThreshold)
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
