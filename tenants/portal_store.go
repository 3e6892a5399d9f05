package tenants

import (
	"context"
	"fmt"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
)

// CreatePortalToken issues a portal token for a customer (the caller has
// checked that the customer is the tenant's) and returns its secret, shown
// only once. It expires TTL after the tenant's now.
func (s *Service) CreatePortalToken(ctx context.Context, tenantID, customerID string, in CreatePortalTokenInput) (PortalToken, string, error) {
	ttl, err := in.Duration()
	if err != nil {
		return PortalToken{}, "", err
	}
	now := s.clock.Now(ctx)
	secret := newPortalSecret()
	r := portalRow{ID: domain.NewID(domain.PrefixPortalToken), TenantID: tenantID, CustomerID: customerID,
		TokenHash: hashKey(secret), TokenPrefix: prefixOf(secret), CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := s.db.WithContext(ctx).Create(&r).Error; err != nil {
		return PortalToken{}, "", fmt.Errorf("create portal token: %w", err)
	}
	return r.toToken(), secret, nil
}

// ListPortalTokens lists a customer's portal tokens, expired and revoked
// ones included, oldest first.
func (s *Service) ListPortalTokens(ctx context.Context, tenantID, customerID string, page domain.Page) (domain.List[PortalToken], error) {
	page, err := page.Normalize()
	if err != nil {
		return domain.List[PortalToken]{}, err
	}
	var rows []portalRow
	q := s.db.WithContext(ctx).Where("tenant_id = ? AND customer_id = ?", tenantID, customerID)
	if page.Cursor != "" {
		q = q.Where("id > ?", page.Cursor)
	}
	if err := q.Order("id").Limit(page.Limit + 1).Find(&rows).Error; err != nil {
		return domain.List[PortalToken]{}, fmt.Errorf("list portal tokens: %w", err)
	}
	out := make([]PortalToken, len(rows))
	for i, r := range rows {
		out[i] = r.toToken()
	}
	return domain.PageOf(out, page.Limit, func(t PortalToken) string { return t.ID }), nil
}

// RevokePortalToken revokes one of a customer's portal tokens at once; a
// token of another customer or tenant is not found. Revoking twice is
// harmless (the first revocation time stays).
func (s *Service) RevokePortalToken(ctx context.Context, tenantID, customerID, id string) (PortalToken, error) {
	var r portalRow
	err := s.db.WithContext(ctx).Where("tenant_id = ? AND customer_id = ? AND id = ?", tenantID, customerID, id).Take(&r).Error
	if err != nil {
		if store.IsNotFound(err) {
			return PortalToken{}, domain.NotFound("portal token", id)
		}
		return PortalToken{}, fmt.Errorf("get portal token: %w", err)
	}
	if r.RevokedAt == nil {
		now := s.clock.Now(ctx)
		r.RevokedAt = &now
		if err := s.db.WithContext(ctx).Model(&portalRow{}).Where("id = ?", r.ID).Update("revoked_at", now).Error; err != nil {
			return PortalToken{}, fmt.Errorf("revoke portal token: %w", err)
		}
	}
	return r.toToken(), nil
}

// FindPortalToken returns the stored token whose secret is given, or an
// unauthorized error for an unknown one. It does not judge revocation or
// expiry: the caller calls Check with the token tenant's now (a tenant's
// test clock is known only once the token names the tenant).
func (s *Service) FindPortalToken(ctx context.Context, secret string) (PortalToken, error) {
	h := hashKey(secret)
	var r portalRow
	if err := s.db.WithContext(ctx).Where("token_hash = ?", h).Take(&r).Error; err != nil {
		if store.IsNotFound(err) {
			return PortalToken{}, domain.Unauthorized("unknown portal token")
		}
		return PortalToken{}, fmt.Errorf("find portal token: %w", err)
	}
	if !sameHash(r.TokenHash, h) {
		return PortalToken{}, domain.Unauthorized("unknown portal token")
	}
	return r.toToken(), nil
}
