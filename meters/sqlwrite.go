package meters

import (
	"context"
	"sort"
	"strings"

	"gorm.io/gorm"
)

// insertChunk is how many events one INSERT statement carries.
const insertChunk = 400

// WriteEvents inserts the batch with ON CONFLICT (tenant_id, id) DO
// NOTHING, so the primary key decides which of two racing writers wins,
// and folds the new events (only) into the rollup series of feeds in the
// same transaction. Rows go in id order, so that concurrent batches lock
// ids in one order and cannot deadlock.
func (s *sqlStore) WriteEvents(ctx context.Context, tx *gorm.DB, tenantID string, batch []NewEvent, feeds []Meter) ([]bool, error) {
	fresh := make([]bool, len(batch))
	first := map[string]int{} // id → index of its first occurrence
	var rows []eventRow
	for i, e := range batch {
		if _, dup := first[e.ID]; dup {
			continue
		}
		first[e.ID] = i
		rows = append(rows, eventRow{TenantID: tenantID, ID: e.ID, EventName: e.EventName, Customer: e.Customer,
			Ts: e.Timestamp.UnixMicro(), Properties: string(e.Properties), ReceivedAt: e.ReceivedAt.UnixMicro()})
	}
	if len(rows) == 0 {
		return fresh, nil
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].ID < rows[j].ID })
	err := s.inTx(ctx, tx, func(tx *gorm.DB) error {
		ser, err := s.seriesFor(tx, tenantID, feeds)
		if err != nil {
			return err
		}
		d := deltas{}
		for start := 0; start < len(rows); start += insertChunk {
			end := min(start+insertChunk, len(rows))
			ids, err := insertEvents(tx, rows[start:end])
			if err != nil {
				return err
			}
			isNew := make(map[string]bool, len(ids))
			for _, id := range ids {
				isNew[id] = true
				fresh[first[id]] = true
			}
			if len(ser) == 0 {
				continue
			}
			for _, r := range rows[start:end] {
				if !isNew[r.ID] {
					continue // a duplicate never touches the rollups
				}
				for _, sr := range ser {
					d.add(sr, r)
				}
			}
		}
		return d.apply(tx, s.d)
	})
	if err != nil {
		return nil, err
	}
	return fresh, nil
}

// insertEvents inserts rows, skipping ids already stored, and returns the
// ids that were new.
func insertEvents(tx *gorm.DB, rows []eventRow) ([]string, error) {
	var sb strings.Builder
	sb.WriteString("INSERT INTO events (tenant_id, id, event_name, customer, ts, properties, received_at) VALUES ")
	args := make([]any, 0, len(rows)*7)
	for i, r := range rows {
		if i > 0 {
			sb.WriteString(",")
		}
		sb.WriteString("(?,?,?,?,?,?,?)")
		args = append(args, r.TenantID, r.ID, r.EventName, r.Customer, r.Ts, r.Properties, r.ReceivedAt)
	}
	sb.WriteString(" ON CONFLICT (tenant_id, id) DO NOTHING RETURNING id")
	var ids []string
	if err := tx.Raw(sb.String(), args...).Scan(&ids).Error; err != nil {
		return nil, err
	}
	return ids, nil
}
