package meters

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tallyhq/tally/store"
	"gorm.io/gorm"
)

// ArchiveResult is what ArchiveEventsBefore did.
type ArchiveResult struct {
	// Before is the new horizon: events before it are archived and
	// ingestion rejects any more of them.
	Before time.Time
	// Detached are the partitions detached from events by this call,
	// oldest first: each is now a plain table of the same name (dump it,
	// e.g. pg_dump -t NAME, then drop it), or gone if Drop was asked.
	Detached []string
	Dropped  bool
}

// ErrArchiveUnsupported is ArchiveEventsBefore on a store without monthly
// partitions (SQLite keeps one events table).
var ErrArchiveUnsupported = errors.New("archiving events needs PostgreSQL, where events is partitioned by month; SQLite keeps one events table")

// ArchiveEventsBefore detaches every monthly partition of events that ends
// at or before before (the first of a month, 00:00 UTC) from the events
// table, and records them archived; with drop it also drops them. Rollups,
// rollup series, invoices and event_ids (so that a resent id is still a
// duplicate) stay. From then on ingestion rejects an event dated before
// before (a validation error on its timestamp: its month is archived),
// and quantities of archived months are served by the rollups only, so
// only periods already invoiced and finalized should be archived: the
// caller checks that (tally events archive refuses while a draft invoice
// has a period starting before before). Calling it again with the same
// or an earlier date does nothing more.
func ArchiveEventsBefore(ctx context.Context, db *store.DB, before time.Time, drop bool) (ArchiveResult, error) {
	before = before.UTC()
	res := ArchiveResult{Before: before}
	if db.Dialect != store.Postgres {
		return res, ErrArchiveUnsupported
	}
	if !before.Equal(monthOf(before.UnixMicro())) {
		return res, fmt.Errorf("archive: %s is not the first of a month at 00:00 UTC", before.Format(time.RFC3339))
	}
	now := time.Now().UTC()
	err := db.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// The month just before the horizon is recorded even without a
		// partition, so that the horizon is before itself.
		last := before.AddDate(0, -1, 0)
		if err := tx.Exec("INSERT INTO event_partitions (name, range_start, range_end, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
			partitionName(last), last.UnixMicro(), before.UnixMicro(), now).Error; err != nil {
			return err
		}
		var names []string
		if err := tx.Raw("SELECT name FROM event_partitions WHERE range_end <= ? AND archived_at IS NULL ORDER BY range_start FOR UPDATE",
			before.UnixMicro()).Scan(&names).Error; err != nil {
			return err
		}
		for _, name := range names {
			var attached bool
			if err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
				JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = ? AND n.nspname = current_schema())`, name).Scan(&attached).Error; err != nil {
				return err
			}
			if attached {
				if err := tx.Exec("ALTER TABLE events DETACH PARTITION " + name).Error; err != nil {
					return fmt.Errorf("detach %s: %w", name, err)
				}
				res.Detached = append(res.Detached, name)
				if drop {
					if err := tx.Exec("DROP TABLE " + name).Error; err != nil {
						return fmt.Errorf("drop %s: %w", name, err)
					}
				}
			}
			if err := tx.Exec("UPDATE event_partitions SET archived_at = ? WHERE name = ?", now, name).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return ArchiveResult{Before: before}, fmt.Errorf("archive events: %w", err)
	}
	res.Dropped = drop && len(res.Detached) > 0
	return res, nil
}

// ArchivedBefore is the store's archive horizon: events dated before it
// cannot be stored (zero: nothing archived; always zero on SQLite).
func (s *sqlStore) ArchivedBefore(ctx context.Context) (time.Time, error) {
	if !s.d.partitioned() {
		return time.Time{}, nil
	}
	return archivedBefore(ctx, s.db)
}

// archiving is implemented by event stores that archive whole months.
type archiving interface {
	ArchivedBefore(ctx context.Context) (time.Time, error)
}
