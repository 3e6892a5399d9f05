package meters

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"gorm.io/gorm"
)

// On Postgres events is partitioned by month of ts (migration 0026): one
// partition per UTC calendar month, named events_pYYYYMM, recorded in
// event_partitions. A batch's months get their partitions before its
// transaction begins (creating a partition locks the parent table, which
// must not happen inside a transaction that already holds locks on it),
// so no event ever waits for one and there is no default partition to
// drain. A month whose partition was archived (detached, see
// ArchiveEventsBefore) takes no more events: ingestion rejects them.

// monthOf is the start of ts's UTC calendar month, in microseconds.
func monthOf(ts int64) time.Time {
	t := time.UnixMicro(ts).UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// partitionName is the name of the partition of the month starting at m.
func partitionName(m time.Time) string {
	return fmt.Sprintf("events_p%04d%02d", m.Year(), int(m.Month()))
}

// partitions keeps the months this process knows to have a partition.
type partitions struct {
	mu    sync.Mutex
	known map[time.Time]bool
}

func newPartitions() *partitions { return &partitions{known: map[time.Time]bool{}} }

// ErrArchivedMonth is the error of an event whose month is archived.
var ErrArchivedMonth = errors.New("events of this month are archived")

// ensure makes sure every month has its partition, creating the missing
// ones each in a transaction of its own on db (or a savepoint, when db is
// a caller's transaction); cache says whether a month once created may be
// trusted later (not when a caller's transaction could still roll it
// back). It fails with ErrArchivedMonth for a month that was archived.
func (p *partitions) ensure(ctx context.Context, db *gorm.DB, months []time.Time, cache bool) error {
	p.mu.Lock()
	var missing []time.Time
	for _, m := range months {
		if !p.known[m] {
			missing = append(missing, m)
		}
	}
	p.mu.Unlock()
	for _, m := range missing {
		if err := createPartition(ctx, db, m, time.Now().UTC()); err != nil {
			return err
		}
		if !cache {
			continue
		}
		p.mu.Lock()
		p.known[m] = true
		p.mu.Unlock()
	}
	return nil
}

// forget drops what the process knows (a partition was archived).
func (p *partitions) forget() {
	p.mu.Lock()
	p.known = map[time.Time]bool{}
	p.mu.Unlock()
}

// createPartition creates the partition of month m unless it exists, and
// records it; two servers creating the same one serialize on the row of
// event_partitions. It fails with ErrArchivedMonth if m was archived.
func createPartition(ctx context.Context, db *gorm.DB, m time.Time, now time.Time) error {
	name := partitionName(m)
	lo, hi := m.UnixMicro(), m.AddDate(0, 1, 0).UnixMicro()
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("INSERT INTO event_partitions (name, range_start, range_end, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
			name, lo, hi, now).Error; err != nil {
			return fmt.Errorf("record partition %s: %w", name, err)
		}
		var row struct{ ArchivedAt *time.Time }
		if err := tx.Raw("SELECT archived_at FROM event_partitions WHERE name = ? FOR UPDATE", name).Scan(&row).Error; err != nil {
			return fmt.Errorf("lock partition %s: %w", name, err)
		}
		if row.ArchivedAt != nil {
			return fmt.Errorf("%w: %s (archived %s)", ErrArchivedMonth, m.Format("2006-01"), row.ArchivedAt.UTC().Format(time.RFC3339))
		}
		if h, err := archivedBefore(ctx, tx); err != nil {
			return err
		} else if m.Before(h) {
			return fmt.Errorf("%w: %s lies before %s", ErrArchivedMonth, m.Format("2006-01"), h.Format("2006-01"))
		}
		q := fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s PARTITION OF events FOR VALUES FROM (%d) TO (%d)", name, lo, hi)
		if err := tx.Exec(q).Error; err != nil {
			return fmt.Errorf("create partition %s: %w", name, err)
		}
		return nil
	})
}

// monthsOf lists the distinct months of rows, ascending.
func monthsOf(rows []eventRow) []time.Time {
	seen := map[time.Time]bool{}
	var out []time.Time
	for _, r := range rows {
		m := monthOf(r.Ts)
		if !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

// archivedBefore is the end of the last archived month (zero: none): events
// before it cannot be stored.
func archivedBefore(ctx context.Context, db *gorm.DB) (time.Time, error) {
	var end *int64
	if err := db.WithContext(ctx).Raw("SELECT max(range_end) FROM event_partitions WHERE archived_at IS NOT NULL").Scan(&end).Error; err != nil {
		return time.Time{}, fmt.Errorf("read archived months: %w", err)
	}
	if end == nil {
		return time.Time{}, nil
	}
	return time.UnixMicro(*end).UTC(), nil
}
