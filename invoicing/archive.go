package invoicing

import (
	"context"
	"fmt"
	"time"
)

// DraftsStartingBefore counts the draft invoices of every tenant whose
// period starts before before: their events may still be recomputed, so
// the months holding them must not be archived yet (tally events archive
// refuses while any exists).
func (s *Service) DraftsStartingBefore(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.db.Gorm.WithContext(ctx).Raw("SELECT count(*) FROM invoices WHERE status = ? AND period_start < ?",
		string(Draft), before.UTC().UnixMicro()).Scan(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count drafts: %w", err)
	}
	return n, nil
}
