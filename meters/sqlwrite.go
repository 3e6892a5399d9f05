package meters

import (
	"context"
	"sort"
	"strings"
	"time"

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
	// Rows go in id order; parsed[i] is rows[i]'s properties as Ingest
	// parsed them (nil: parse again).
	order := make([]int, len(rows))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(i, j int) bool { return rows[order[i]].ID < rows[order[j]].ID })
	sorted := make([]eventRow, len(rows))
	parsed := make([]Properties, len(rows))
	for i, k := range order {
		sorted[i] = rows[k]
		parsed[i] = batch[first[rows[k].ID]].parsed
	}
	rows = sorted
	// A transaction of the store's own folds its rollups into a shard no
	// other of this process's writers holds; a caller's transaction (which
	// may write several batches) always uses shard 0, so its lock order
	// stays the global one.
	shard := 0
	if tx == nil {
		var release func()
		shard, release = s.shards.acquire()
		defer release()
	}
	if s.d.partitioned() {
		on, own := s.db.WithContext(ctx), tx == nil
		if !own {
			on = tx.WithContext(ctx)
		}
		if err := s.parts.ensure(ctx, on, monthsOf(rows), own); err != nil {
			return nil, err
		}
	}
	err := s.inTx(ctx, tx, func(tx *gorm.DB) error {
		ser, err := s.seriesFor(tx, tenantID, feeds)
		if err != nil {
			return err
		}
		d := deltas{}
		chunk, insert := insertChunk, insertEvents
		if s.d.bindsArrays() {
			chunk, insert = len(rows), insertEventsArrays
		}
		for start := 0; start < len(rows); start += chunk {
			end := min(start+chunk, len(rows))
			ids, err := insert(tx, rows[start:end])
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
			for j, r := range rows[start:end] {
				if !isNew[r.ID] {
					continue // a duplicate never touches the rollups
				}
				e := eventOf(r, parsed[start+j])
				for _, sr := range ser {
					d.add(sr, r, e)
				}
			}
		}
		return d.apply(tx, s.d, shard)
	})
	if err != nil {
		return nil, err
	}
	return fresh, nil
}

// eventOf is the event row r stores, with props its parsed properties
// (nil: parsed from r).
func eventOf(r eventRow, props Properties) Event {
	if props == nil {
		return r.toEvent()
	}
	return Event{ID: r.ID, EventName: r.EventName, Customer: r.Customer, Timestamp: time.UnixMicro(r.Ts).UTC(),
		Properties: props, ReceivedAt: time.UnixMicro(r.ReceivedAt).UTC()}
}

// insertEvents stores rows (distinct ids, in id order), skipping ids
// already stored, and returns the ids that were new. The id goes first
// into event_ids, whose key (tenant_id, id) decides which of two racing
// writers wins (events' own key holds ts, its partition key, so it cannot);
// only the winners go into events. It reads the ids through Rows, not
// Scan: gorm's Scan renders the whole statement with its arguments for its
// logger (a regexp over thousands of arguments) even when the logger is
// silent.
func insertEvents(tx *gorm.DB, rows []eventRow) ([]string, error) {
	var sb strings.Builder
	sb.WriteString("INSERT INTO event_ids (tenant_id, id, ts) VALUES ")
	args := make([]any, 0, len(rows)*7)
	for i, r := range rows {
		if i > 0 {
			sb.WriteString(",")
		}
		sb.WriteString("(?,?,?)")
		args = append(args, r.TenantID, r.ID, r.Ts)
	}
	sb.WriteString(" ON CONFLICT (tenant_id, id) DO NOTHING RETURNING id")
	ids, err := returnedIDs(tx, sb.String(), args, len(rows))
	if err != nil || len(ids) == 0 {
		return ids, err
	}
	isNew := make(map[string]bool, len(ids))
	for _, id := range ids {
		isNew[id] = true
	}
	sb.Reset()
	args = args[:0]
	sb.WriteString("INSERT INTO events (tenant_id, id, event_name, customer, ts, properties, received_at) VALUES ")
	n := 0
	for _, r := range rows {
		if !isNew[r.ID] {
			continue
		}
		if n > 0 {
			sb.WriteString(",")
		}
		n++
		sb.WriteString("(?,?,?,?,?,?,?)")
		args = append(args, r.TenantID, r.ID, r.EventName, r.Customer, r.Ts, r.Properties, r.ReceivedAt)
	}
	if err := tx.Exec(sb.String(), args...).Error; err != nil {
		return nil, err
	}
	return ids, nil
}

// returnedIDs runs an INSERT … RETURNING id and reads the ids.
func returnedIDs(tx *gorm.DB, q string, args []any, capacity int) ([]string, error) {
	res, err := tx.Raw(q, args...).Rows()
	if err != nil {
		return nil, err
	}
	defer res.Close()
	ids := make([]string, 0, capacity)
	for res.Next() {
		var id string
		if err := res.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, res.Err()
}
