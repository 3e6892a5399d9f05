package budgets

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/credits"
	"github.com/tallyhq/tally/webhooks"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// DefaultCreditsLowPercent is the level of credits.low when none is set:
// the live remaining balance of a unit at or below this share of what was
// granted in it.
const DefaultCreditsLowPercent = 20

// CreditReader reads a customer's live credit balance per unit
// (invoicing.(*Service).CreditBalance; at zero: now).
type CreditReader interface {
	CreditBalance(ctx context.Context, tenantID, customerID string, at time.Time) ([]credits.UnitBalance, error)
}

type alertRow struct {
	TenantID   string `gorm:"primaryKey"`
	CustomerID string `gorm:"primaryKey"`
	Unit       string `gorm:"primaryKey"`
	Kind       string `gorm:"primaryKey"`
	EventID    string
	CreatedAt  int64 `gorm:"autoCreateTime:false"`
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

// SetCredits makes evaluation also watch the customer's credit balance:
// credits.low once the remaining balance of a unit is at or below
// lowPercent of what was granted in it (<= 0: DefaultCreditsLowPercent),
// credits.exhausted once it is zero; each once per crossing (re-armed when
// the balance rises above the level again, as after a new grant). Call it
// before evaluating.
func (s *Service) SetCredits(r CreditReader, lowPercent int) {
	if lowPercent <= 0 {
		lowPercent = DefaultCreditsLowPercent
	}
	s.credits, s.lowPercent = r, lowPercent
}

// EvaluateCredits reports the low and exhausted credit alerts of the
// customer not reported since their last crossing; it returns how many.
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
	n := 0
	for _, u := range bal {
		if !u.Granted.IsPositive() {
			continue
		}
		level, low, exhausted := s.CreditLevel(u)
		for _, a := range []struct {
			kind    string
			level   decimal.Decimal
			reached bool
		}{
			{webhooks.CreditsLow, level, low},
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
			made, err := s.alert(ctx, alertRow{TenantID: tenantID, CustomerID: customerID, Unit: u.Unit, Kind: a.kind}, data)
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

// alert records one alert and its event in one transaction, unless it is
// recorded already (the primary key decides).
func (s *Service) alert(ctx context.Context, row alertRow, data CreditAlertData) (bool, error) {
	made := false
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		row.CreatedAt = s.clock.Now(ctx).UnixMicro()
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
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
