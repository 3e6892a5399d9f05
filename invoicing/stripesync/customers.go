package stripesync

import (
	"context"
	"fmt"
	"strings"

	"github.com/stripe/stripe-go/v76"
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
	"gorm.io/gorm/clause"
)

// ensureCustomer returns the Stripe customer of a Tally customer: the one
// recorded, else one already in Stripe carrying its ids (linked), else a new
// one.
func (s *Syncer) ensureCustomer(ctx context.Context, c customers.Customer) (string, error) {
	var row customerRow
	err := s.db.WithContext(ctx).Where("customer_id = ?", c.ID).Take(&row).Error
	switch {
	case err == nil && row.StripeCustomerID != "":
		return row.StripeCustomerID, nil
	case err != nil && !store.IsNotFound(err):
		return "", fmt.Errorf("read stripe customer: %w", err)
	case err != nil:
		// The intent, before Stripe is asked.
		row = customerRow{CustomerID: c.ID, TenantID: c.TenantID, CreatedAt: s.clock.Now(ctx)}
		if err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
			return "", fmt.Errorf("record stripe customer: %w", err)
		}
	}
	id, err := s.findCustomer(ctx, c)
	if err != nil {
		return "", err
	}
	if id == "" {
		p := &stripe.CustomerParams{
			Description: stripe.String("Tally customer " + c.ExternalID),
			Metadata:    map[string]string{mdTenant: c.TenantID, mdCustomer: c.ID, mdExternal: c.ExternalID},
		}
		if c.Name != "" {
			p.Name = stripe.String(c.Name)
		}
		if c.Email != "" {
			p.Email = stripe.String(c.Email)
		}
		key := "tally-cus-" + c.ID
		var made *stripe.Customer
		err := s.call(ctx, "create customer", key, func(actx context.Context) (err error) {
			use(actx, &p.Params, key)
			made, err = s.api.Customers.New(p)
			return err
		})
		if err != nil {
			return "", err
		}
		id = made.ID
	}
	if err := s.db.WithContext(ctx).Model(&customerRow{}).Where("customer_id = ?", c.ID).
		Update("stripe_customer_id", id).Error; err != nil {
		return "", fmt.Errorf("record stripe customer: %w", err)
	}
	return id, nil
}

// findCustomer looks, by email, for a Stripe customer whose metadata names
// this Tally customer (one made before a database restore, or by a sync
// whose answer was lost). Customers without an email are found by the
// idempotency key alone.
func (s *Syncer) findCustomer(ctx context.Context, c customers.Customer) (string, error) {
	if c.Email == "" {
		return "", nil
	}
	var found string
	err := s.call(ctx, "list customers by email", "", func(actx context.Context) error {
		p := &stripe.CustomerListParams{Email: stripe.String(c.Email)}
		p.Context = actx
		p.Limit = stripe.Int64(100)
		it := s.api.Customers.List(p)
		for it.Next() {
			sc := it.Customer()
			if sc.Metadata[mdCustomer] == c.ID && sc.Metadata[mdTenant] == c.TenantID && !sc.Deleted {
				found = sc.ID
				return nil
			}
		}
		return it.Err()
	})
	return found, err
}

// LinkCustomer records that a Tally customer is an existing Stripe customer,
// so that its invoices go there instead of to a new one.
func (s *Syncer) LinkCustomer(ctx context.Context, tenantID, customerID, stripeCustomerID string) error {
	if strings.TrimSpace(stripeCustomerID) == "" {
		return domain.Invalid("stripe_customer_id", "is required")
	}
	if _, err := s.cs.Get(ctx, tenantID, customerID); err != nil {
		return err
	}
	row := customerRow{CustomerID: customerID, TenantID: tenantID, StripeCustomerID: stripeCustomerID, CreatedAt: s.clock.Now(ctx)}
	return s.db.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "customer_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"stripe_customer_id"})}).Create(&row).Error
}
