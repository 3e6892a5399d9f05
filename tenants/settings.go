package tenants

import (
	"context"
	"fmt"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
)

// Settings are a tenant's own defaults (GET /v1/settings).
type Settings struct {
	// LowCreditThreshold is the credits.low level of the tenant's customers
	// that set none themselves; its zero value:
	// domain.DefaultLowCreditPercent of what was granted.
	LowCreditThreshold domain.LowCreditThreshold
}

// SettingsUpdate changes settings (PATCH /v1/settings); a nil field stays
// as it is, and a zero LowCreditThreshold clears the tenant's level (back
// to the default).
type SettingsUpdate struct {
	LowCreditThreshold *domain.LowCreditThreshold
}

type settingsRow struct {
	ID                 string `gorm:"primaryKey"`
	LowCreditThreshold *string
}

func (settingsRow) TableName() string { return "tenants" }

// Settings reads the tenant's settings.
func (s *Service) Settings(ctx context.Context, tenantID string) (Settings, error) {
	var r settingsRow
	if err := s.db.WithContext(ctx).Where("id = ?", tenantID).Take(&r).Error; err != nil {
		if store.IsNotFound(err) {
			return Settings{}, domain.NotFound("tenant", tenantID)
		}
		return Settings{}, fmt.Errorf("read tenant settings: %w", err)
	}
	var st Settings
	if r.LowCreditThreshold != nil {
		t, err := domain.DecodeLowCreditThreshold(*r.LowCreditThreshold)
		if err != nil {
			return Settings{}, fmt.Errorf("tenant %s: %w", tenantID, err)
		}
		st.LowCreditThreshold = t
	}
	return st, nil
}

// UpdateSettings validates in (every problem, with its field) and stores
// it; nothing is stored when it is invalid.
func (s *Service) UpdateSettings(ctx context.Context, tenantID string, in SettingsUpdate) (Settings, error) {
	var p domain.Problems
	if in.LowCreditThreshold != nil {
		in.LowCreditThreshold.Validate(&p, "low_credit_threshold")
	}
	if err := p.Err(); err != nil {
		return Settings{}, err
	}
	if in.LowCreditThreshold != nil {
		var v *string
		if enc := domain.EncodeLowCreditThreshold(*in.LowCreditThreshold); enc != "" {
			v = &enc
		}
		res := s.db.WithContext(ctx).Model(&settingsRow{}).Where("id = ?", tenantID).Update("low_credit_threshold", v)
		if res.Error != nil {
			return Settings{}, fmt.Errorf("update tenant settings: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return Settings{}, domain.NotFound("tenant", tenantID)
		}
	}
	return s.Settings(ctx, tenantID)
}
