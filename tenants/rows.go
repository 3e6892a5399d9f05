package tenants

import "time"

type tenantRow struct {
	ID        string `gorm:"primaryKey"`
	Name      string
	CreatedAt time.Time
}

func (tenantRow) TableName() string { return "tenants" }

func (r tenantRow) toTenant() Tenant {
	return Tenant{ID: r.ID, Name: r.Name, CreatedAt: r.CreatedAt.UTC()}
}

type keyRow struct {
	ID        string `gorm:"primaryKey"`
	TenantID  string
	Kind      string
	Name      string
	KeyHash   string
	KeyPrefix string
	CreatedAt time.Time
	RevokedAt *time.Time
}

func (keyRow) TableName() string { return "api_keys" }

func (r keyRow) toKey() APIKey {
	k := APIKey{ID: r.ID, TenantID: r.TenantID, Kind: KeyKind(r.Kind), Name: r.Name, Prefix: r.KeyPrefix, CreatedAt: r.CreatedAt.UTC()}
	if r.RevokedAt != nil {
		t := r.RevokedAt.UTC()
		k.RevokedAt = &t
	}
	return k
}
