package budgets

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/credits"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/webhooks"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// CreditReader reads a customer's live credit balance per unit
// (invoicing.(*Service).CreditBalance; at zero: now).
type CreditReader interface {
	CreditBalance(ctx context.Context, tenantID, customerID string, at time.Time) ([]credits.UnitBalance, error)
}

// CreditLevels tells, for a customer at ctx's now, the low-credit level
// that applies to it (its own low_credit_threshold, else its tenant's
// default; the zero value: domain.DefaultLowCreditPercent) and the start
// of its open billing period (zero when it has none).
type CreditLevels interface {
	CreditLevel(ctx context.Context, tenantID, customerID string) (level domain.LowCreditThreshold, periodStart time.Time, err error)
}

type alertRow struct {
	TenantID    string `gorm:"primaryKey"`
	CustomerID  string `gorm:"primaryKey"`
	Unit        string `gorm:"primaryKey"`
	Kind        string `gorm:"primaryKey"`
	PeriodStart int64
	EventID     string
	CreatedAt   int64 `gorm:"autoCreateTime:false"`
}

func (alertRow) TableName() string { return "credit_alerts" }

// CreditAlertData is the "data" of credits.low and credits.exhausted:
// remaining is the live balance of the unit when the crossing was seen,
// level the balance at or below which the alert is sent (0 for exhausted).
type CreditAlertData struct {
	CustomerID string `json:"customer_id"`
	Unit       string `json:"unit"`
	Granted    string `json:"granted"`
	Remaining  string `json:"remaining"`
	Level      string `json:"level"`
}

// EvaluateCredits reports the low and exhausted credit alerts of the
// customer not reported yet; it returns how many. A unit is low once its
// live remaining balance is at or below the customer's level (CreditLevels)
// and more than zero was granted in it; exhausted once it is zero. Each is
// reported once per crossing per billing period: an alert row per
// (customer, unit, kind) records the period it was sent in; it is sent again
// when the balance, still at or below the level, is seen in a later period,
// and the row is deleted (re-armed) once the balance rises above the level
// (a new grant, a voided invoice giving credits back).
func (s *Service) EvaluateCredits(ctx context.Context, tenantID, customerID string) (int, error) {
	if s.credits == nil {
		return 0, nil
	}
	ctx, err := s.tenantCtx(ctx, tenantID)
	if err != nil {
		return 0, err
	}
	bal, err := s.credits.CreditBalance(ctx, tenantID, customerID, time.Time{})
	if err != nil {
		return 0, err
	}
	var level domain.LowCreditThreshold
	var periodStart time.Time
	if s.levels != nil {
		if level, periodStart, err = s.levels.CreditLevel(ctx, tenantID, customerID); err != nil {
			return 0, err
		}
	}
	n := 0
	for _, u := range bal {
		if !u.Granted.IsPositive() {
			continue
		}
		low, isLow, exhausted := UnitCreditLevel(level, u)
		for _, a := range []struct {
			kind    string
			level   decimal.Decimal
			reached bool
		}{
			{webhooks.CreditsLow, low, isLow},
			{webhooks.CreditsExhausted, decimal.Zero, exhausted},
		} {
			if !a.reached { // re-arm: the next crossing reports again
				if err := s.db.WithContext(ctx).Where("tenant_id = ? AND customer_id = ? AND unit = ? AND kind = ?", tenantID, customerID, u.Unit, a.kind).
					Delete(&alertRow{}).Error; err != nil {
					return n, fmt.Errorf("re-arm credit alert: %w", err)
				}
				continue
			}
			data := CreditAlertData{CustomerID: customerID, Unit: u.Unit, Granted: u.Granted.String(), Remaining: u.Remaining.String(), Level: a.level.String()}
			row := alertRow{TenantID: tenantID, CustomerID: customerID, Unit: u.Unit, Kind: a.kind, PeriodStart: periodMicros(periodStart)}
			made, err := s.alert(ctx, row, data)
			if err != nil {
				return n, err
			}
			if made {
				n++
			}
		}
	}
	return n, nil
}

func periodMicros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// alert records one alert and its event in one transaction, unless it is
// recorded already for row's period: the primary key decides a first
// alert, a conditional update of period_start one seen again in a later
// period, so concurrent evaluators send it once.
func (s *Service) alert(ctx context.Context, row alertRow, data CreditAlertData) (bool, error) {
	made := false
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		row.CreatedAt = s.clock.Now(ctx).UnixMicro()
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 { // sent before: again only in a later period
			res = tx.Model(&alertRow{}).Where("tenant_id = ? AND customer_id = ? AND unit = ? AND kind = ? AND period_start < ?",
				row.TenantID, row.CustomerID, row.Unit, row.Kind, row.PeriodStart).
				Updates(map[string]any{"period_start": row.PeriodStart, "created_at": row.CreatedAt})
			if res.Error != nil || res.RowsAffected == 0 {
				return res.Error
			}
		}
		id, err := s.outbox.EmitTx(tx, row.TenantID, webhooks.Event{Type: row.Kind, CustomerID: row.CustomerID, Data: data})
		if err != nil {
			return err
		}
		made = true
		return tx.Model(&alertRow{}).Where("tenant_id = ? AND customer_id = ? AND unit = ? AND kind = ?", row.TenantID, row.CustomerID, row.Unit, row.Kind).
			Update("event_id", id).Error
	})
	return made, err
}
