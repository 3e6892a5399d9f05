package meters

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
	"gorm.io/gorm"
)

// A rollup series is one meter narrowed by one set of price filters. Its
// rows are kept per customer and UTC hour and minute at ingestion, in the
// same transaction that stores the events, so they are never behind. A
// series is created (and backfilled from the stored events) when a price
// first needs it. The dialect's locks (on Postgres a share lock on the
// meters an ingestion feeds, an exclusive one to create a series; SQLite
// has one writer anyway) keep any event from slipping between a backfill
// and the series becoming visible.

type seriesRow struct {
	ID         string `gorm:"primaryKey"`
	TenantID   string
	MeterID    string
	FiltersKey string
	CreatedAt  time.Time
}

func (seriesRow) TableName() string { return "rollup_series" }

type series struct {
	id      string
	meter   Meter
	filters Filters
}

// EnsureSeries makes sure a rollup series exists for the meter and filters
// (a usage price's), creating and backfilling it if needed, inside tx, a
// transaction on a database of the dialect. It is the SQL store's
// EnsureSeries for callers that hold a gorm transaction but no EventStore.
func EnsureSeries(tx *gorm.DB, dialect store.Dialect, now time.Time, m Meter, filters Filters) error {
	s := &sqlStore{d: dialectOf(dialect)}
	return s.EnsureSeries(tx.Statement.Context, tx, m, filters, now)
}

// EnsureSeries creates the (meter, filters) series and backfills it, unless
// it exists; aggregations that rollups cannot serve need none.
func (s *sqlStore) EnsureSeries(ctx context.Context, tx *gorm.DB, m Meter, filters Filters, now time.Time) error {
	if !m.Aggregation.Type.rollable() {
		return nil
	}
	return s.inTx(ctx, tx, func(tx *gorm.DB) error {
		if err := s.d.lockCreating(tx, m.ID); err != nil {
			return err
		}
		var ids []string
		if err := tx.Raw(`INSERT INTO rollup_series (id, tenant_id, meter_id, filters_key, created_at) VALUES (?,?,?,?,?)
		ON CONFLICT (tenant_id, meter_id, filters_key) DO NOTHING RETURNING id`,
			domain.NewID("rls"), m.TenantID, m.ID, filtersKey(filters), now).Scan(&ids).Error; err != nil {
			return fmt.Errorf("create rollup series: %w", err)
		}
		if len(ids) == 0 {
			return nil // it existed
		}
		return s.backfill(tx, series{id: ids[0], meter: m, filters: filters})
	})
}

// backfill builds a new series' rows from every stored event of its meter.
func (s *sqlStore) backfill(tx *gorm.DB, sr series) error {
	const page = 5000
	lastTs, lastID := int64(-1<<62), ""
	id := s.d.byteID("id")
	for {
		var rows []eventRow
		err := tx.Where("tenant_id = ? AND event_name = ? AND ((ts > ?) OR (ts = ? AND "+id+" > ?))",
			sr.meter.TenantID, sr.meter.EventName, lastTs, lastTs, lastID).
			Order("ts, " + id).Limit(page).Find(&rows).Error
		if err != nil {
			return fmt.Errorf("backfill rollups: %w", err)
		}
		d := deltas{}
		for _, r := range rows {
			d.add(sr, r, r.toEvent())
		}
		if err := d.apply(tx, s.d, 0); err != nil {
			return err
		}
		if len(rows) < page {
			return nil
		}
		lastTs, lastID = rows[len(rows)-1].Ts, rows[len(rows)-1].ID
	}
}

// seriesFor loads, inside the ingesting transaction, the series of the
// meters an event batch may feed, holding the dialect's lock on those
// meters so that no series is being created meanwhile.
func (s *sqlStore) seriesFor(tx *gorm.DB, tenantID string, ms []Meter) ([]series, error) {
	if len(ms) == 0 {
		return nil, nil
	}
	byID := map[string]Meter{}
	for _, m := range ms {
		byID[m.ID] = m
	}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	if err := s.d.lockFeeding(tx, ids); err != nil {
		return nil, err
	}
	var rows []seriesRow
	if err := tx.Where("tenant_id = ? AND meter_id IN ?", tenantID, ids).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load rollup series: %w", err)
	}
	out := make([]series, 0, len(rows))
	for _, r := range rows {
		out = append(out, series{id: r.ID, meter: byID[r.MeterID], filters: decodeFilters(r.FiltersKey)})
	}
	return out, nil
}

// seriesID finds the rollup series of the meter and filters, creating and
// backfilling it when no price has yet (as after migration 0011, which
// dropped the series built before values compared as JSON values).
//
// Found ids are kept for the life of the process (s.known): a series is
// never deleted nor renumbered, so a live preview or balance does not look
// its series up on every read.
func (s *sqlStore) seriesID(ctx context.Context, tenantID string, m Meter, extra Filters) (string, error) {
	return s.lookupSeries(ctx, tenantID, m, extra, true)
}

// lookupSeries is seriesID; without create, a series that does not exist
// yet is "" (for reads that must not write, such as usage series).
func (s *sqlStore) lookupSeries(ctx context.Context, tenantID string, m Meter, extra Filters, create bool) (string, error) {
	key := tenantID + "\x00" + m.ID + "\x00" + filtersKey(extra)
	if id, ok := s.known.Load(key); ok {
		return id.(string), nil
	}
	find := func() (string, error) {
		var sr seriesRow
		// The primary: a series just created here may not have reached
		// the replica yet.
		err := s.db.WithContext(ctx).Where("tenant_id = ? AND meter_id = ? AND filters_key = ?", tenantID, m.ID, filtersKey(extra)).Take(&sr).Error
		if err != nil && !store.IsNotFound(err) {
			return "", fmt.Errorf("find rollup series: %w", err)
		}
		return sr.ID, nil
	}
	id, err := find()
	if err == nil && id == "" && !create {
		return "", nil
	}
	if err == nil && id == "" {
		if err = s.EnsureSeries(ctx, nil, m, extra, s.clock.Now(ctx)); err != nil {
			return "", err
		}
		if id, err = find(); err == nil && id == "" {
			err = fmt.Errorf("rollup series of %s was not created", m.Key)
		}
	}
	if err == nil {
		s.known.Store(key, id)
	}
	return id, err
}
