package meters

import (
	"fmt"

	"gorm.io/gorm"
)

// KeepSeries has the meter keep (creating and backfilling when new) the
// rollup series that a usage price with these filters reads, inside tx, the
// transaction that stores the price. It reads the meter through tx, so it
// never waits on a second connection (SQLite has one). It is what the
// catalog asks of meters when a plan is stored (plans.SeriesKeeper).
func (s *Service) KeepSeries(tx *gorm.DB, tenantID, meterID string, filters Filters) error {
	var r meterRow
	if err := tx.Where("tenant_id = ? AND id = ?", tenantID, meterID).Take(&r).Error; err != nil {
		return fmt.Errorf("read meter %s: %w", meterID, err)
	}
	return EnsureSeries(tx, s.db.Dialect, s.clock.Now(tx.Statement.Context), r.toMeter(), filters)
}
