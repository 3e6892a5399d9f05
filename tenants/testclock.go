package tenants

import (
	"context"
	"fmt"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// A test clock is a tenant's own "now", as Stripe's test clocks: while set,
// every part of Tally reads it for that tenant (the API puts it in each
// request's context with domain.WithNow). Only the TALLY_TEST_CLOCK=on
// setting exposes it; production never has one. It is frozen: it reads the
// same instant until set again, and it only moves forward.
type testClockRow struct {
	TenantID  string `gorm:"primaryKey"`
	NowUs     int64
	UpdatedAt time.Time
}

func (testClockRow) TableName() string { return "test_clocks" }

// TestClock returns the tenant's test clock, and false when it has none (it
// runs on real time).
func (s *Service) TestClock(ctx context.Context, tenantID string) (time.Time, bool, error) {
	var r testClockRow
	if err := s.db.WithContext(ctx).Where("tenant_id = ?", tenantID).Take(&r).Error; err != nil {
		if store.IsNotFound(err) {
			return time.Time{}, false, nil
		}
		return time.Time{}, false, fmt.Errorf("read test clock: %w", err)
	}
	return time.UnixMicro(r.NowUs).UTC(), true, nil
}

// SetTestClock sets the tenant's "now" to t (kept to the microsecond). A
// tenant without a test clock may start it at any instant; after that it
// only moves forward: an earlier t is a conflict (409), the same t is a
// no-op.
func (s *Service) SetTestClock(ctx context.Context, tenantID string, t time.Time) (time.Time, error) {
	t = t.UTC().Truncate(time.Microsecond)
	if err := domain.CheckTime("now", t); err != nil {
		return time.Time{}, err
	}
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var cur []testClockRow
		q := s.db.Dialect.LockForUpdate(tx.Where("tenant_id = ?", tenantID))
		if err := q.Find(&cur).Error; err != nil {
			return err
		}
		if len(cur) == 1 && t.UnixMicro() < cur[0].NowUs {
			return domain.Conflict("clock_backwards", "the test clock only moves forward: it reads %s, so %s is in its past",
				time.UnixMicro(cur[0].NowUs).UTC().Format(time.RFC3339Nano), t.Format(time.RFC3339Nano))
		}
		row := testClockRow{TenantID: tenantID, NowUs: t.UnixMicro(), UpdatedAt: s.clock.Now(domain.WithoutNow(ctx))}
		return tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "tenant_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"now_us", "updated_at"})}).Create(&row).Error
	})
	if err != nil {
		if domain.KindOf(err) != "" {
			return time.Time{}, err
		}
		return time.Time{}, fmt.Errorf("set test clock: %w", err)
	}
	return t, nil
}

// ClearTestClock returns the tenant to real time (no-op without a clock).
func (s *Service) ClearTestClock(ctx context.Context, tenantID string) error {
	if err := s.db.WithContext(ctx).Where("tenant_id = ?", tenantID).Delete(&testClockRow{}).Error; err != nil {
		return fmt.Errorf("clear test clock: %w", err)
	}
	return nil
}
