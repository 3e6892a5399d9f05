package tenants

import (
	"context"
	"fmt"
	"strings"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
	"gorm.io/gorm"
)

// Service stores tenants and keys.
type Service struct {
	db    *store.DB
	clock domain.Clock
}

// NewService returns a Service on db.
func NewService(db *store.DB, clock domain.Clock) *Service {
	return &Service{db: db, clock: clock}
}

// CreateTenant creates a tenant with its first admin key and returns the key's
// secret, which is never shown again.
func (s *Service) CreateTenant(ctx context.Context, in CreateTenantInput) (Tenant, string, error) {
	if err := in.Validate(); err != nil {
		return Tenant{}, "", err
	}
	now := s.clock.Now(ctx)
	t := tenantRow{ID: domain.NewID(domain.PrefixTenant), Name: strings.TrimSpace(in.Name), CreatedAt: now}
	secret := newSecret(KindAdmin)
	k := keyRow{ID: domain.NewID(domain.PrefixAPIKey), TenantID: t.ID, Kind: string(KindAdmin), Name: "default admin key",
		KeyHash: hashKey(secret), KeyPrefix: prefixOf(secret), CreatedAt: now}
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&t).Error; err != nil {
			return err
		}
		return tx.Create(&k).Error
	})
	if err != nil {
		return Tenant{}, "", fmt.Errorf("create tenant: %w", err)
	}
	return t.toTenant(), secret, nil
}

// GetTenant reads one tenant.
func (s *Service) GetTenant(ctx context.Context, id string) (Tenant, error) {
	var r tenantRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		if store.IsNotFound(err) {
			return Tenant{}, domain.NotFound("tenant", id)
		}
		return Tenant{}, fmt.Errorf("get tenant: %w", err)
	}
	return r.toTenant(), nil
}

// CreateKey adds a key to a tenant and returns its secret, shown only once.
func (s *Service) CreateKey(ctx context.Context, tenantID string, in CreateKeyInput) (APIKey, string, error) {
	if err := in.Validate(); err != nil {
		return APIKey{}, "", err
	}
	secret := newSecret(in.Kind)
	r := keyRow{ID: domain.NewID(domain.PrefixAPIKey), TenantID: tenantID, Kind: string(in.Kind), Name: strings.TrimSpace(in.Name),
		KeyHash: hashKey(secret), KeyPrefix: prefixOf(secret), CreatedAt: s.clock.Now(ctx)}
	if err := s.db.WithContext(ctx).Create(&r).Error; err != nil {
		return APIKey{}, "", fmt.Errorf("create key: %w", err)
	}
	return r.toKey(), secret, nil
}

// ListKeys lists a tenant's keys, revoked ones included, oldest first.
func (s *Service) ListKeys(ctx context.Context, tenantID string, page domain.Page) (domain.List[APIKey], error) {
	page, err := page.Normalize()
	if err != nil {
		return domain.List[APIKey]{}, err
	}
	var rows []keyRow
	q := s.db.WithContext(ctx).Where("tenant_id = ?", tenantID)
	if page.Cursor != "" {
		q = q.Where("id > ?", page.Cursor)
	}
	if err := q.Order("id").Limit(page.Limit + 1).Find(&rows).Error; err != nil {
		return domain.List[APIKey]{}, fmt.Errorf("list keys: %w", err)
	}
	keys := make([]APIKey, len(rows))
	for i, r := range rows {
		keys[i] = r.toKey()
	}
	return domain.PageOf(keys, page.Limit, func(k APIKey) string { return k.ID }), nil
}

// RevokeKey revokes a key of the tenant. Revoking twice is harmless.
func (s *Service) RevokeKey(ctx context.Context, tenantID, id string) (APIKey, error) {
	var r keyRow
	if err := s.db.WithContext(ctx).Where("tenant_id = ? AND id = ?", tenantID, id).Take(&r).Error; err != nil {
		if store.IsNotFound(err) {
			return APIKey{}, domain.NotFound("api key", id)
		}
		return APIKey{}, fmt.Errorf("get key: %w", err)
	}
	if r.RevokedAt == nil {
		now := s.clock.Now(ctx)
		r.RevokedAt = &now
		if err := s.db.WithContext(ctx).Model(&keyRow{}).Where("id = ?", r.ID).Update("revoked_at", now).Error; err != nil {
			return APIKey{}, fmt.Errorf("revoke key: %w", err)
		}
	}
	return r.toKey(), nil
}

// Authenticate returns the live key whose secret is given, or an
// unauthorized error for an unknown or revoked one.
func (s *Service) Authenticate(ctx context.Context, secret string) (APIKey, error) {
	h := hashKey(secret)
	var r keyRow
	if err := s.db.WithContext(ctx).Where("key_hash = ?", h).Take(&r).Error; err != nil {
		if store.IsNotFound(err) {
			return APIKey{}, domain.Unauthorized("unknown API key")
		}
		return APIKey{}, fmt.Errorf("authenticate: %w", err)
	}
	if !sameHash(r.KeyHash, h) || r.RevokedAt != nil {
		return APIKey{}, domain.Unauthorized("unknown or revoked API key")
	}
	return r.toKey(), nil
}

// GetKey reads one key of the tenant, revoked or not (RevokedAt says
// which); another tenant's key is not found. The console checks with it, on
// every request, that the key a session was opened with is still live.
func (s *Service) GetKey(ctx context.Context, tenantID, id string) (APIKey, error) {
	var r keyRow
	if err := s.db.WithContext(ctx).Where("tenant_id = ? AND id = ?", tenantID, id).Take(&r).Error; err != nil {
		if store.IsNotFound(err) {
			return APIKey{}, domain.NotFound("api key", id)
		}
		return APIKey{}, fmt.Errorf("get key: %w", err)
	}
	return r.toKey(), nil
}

// AllIDs returns the id of every tenant, for jobs that visit each one.
func (s *Service) AllIDs(ctx context.Context) ([]string, error) {
	var ids []string
	if err := s.db.WithContext(ctx).Model(&tenantRow{}).Order("id").Pluck("id", &ids).Error; err != nil {
		return nil, fmt.Errorf("list tenants: %w", err)
	}
	return ids, nil
}
