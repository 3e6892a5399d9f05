package meters

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/tallyhq/tally/domain"
	"gorm.io/gorm"
)

// insertChunk is how many events one INSERT statement carries.
const insertChunk = 400

// Ingest validates and stores a batch of events for a tenant. Every event is
// checked on its own; rejected ones are reported by index and the others are
// stored. Accepted events are committed before Ingest returns. An id seen
// before (in this batch, an earlier one, or a concurrent request) counts as a
// duplicate and its payload is ignored: the first wins.
func (s *Service) Ingest(ctx context.Context, tenantID string, batch []EventInput) (IngestResult, error) {
	var res IngestResult
	if len(batch) > MaxBatch {
		return res, domain.Invalid("events", "at most %d events per batch (got %d)", MaxBatch, len(batch))
	}
	byName, err := s.forEvents(ctx, tenantID)
	if err != nil {
		return res, err
	}
	now := s.clock.Now(ctx)
	seen := map[string]bool{}
	var rows []eventRow
	for i, in := range batch {
		row, err := validateEvent(in, now, byName)
		if err != nil {
			res.Rejected = append(res.Rejected, Rejection{Index: i, Err: err})
			continue
		}
		if seen[row.ID] {
			res.Duplicates++
			continue
		}
		seen[row.ID] = true
		row.TenantID = tenantID
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return res, nil
	}
	// A stable order keeps concurrent batches from deadlocking on ids.
	sort.Slice(rows, func(i, j int) bool { return rows[i].ID < rows[j].ID })
	var fed []Meter
	for name := range eventNames(rows) {
		fed = append(fed, byName[name]...)
	}
	inserted := 0
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		ser, err := seriesFor(tx, s.db.Dialect, tenantID, fed)
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
			inserted += len(ids)
			if len(ser) == 0 {
				continue
			}
			isNew := make(map[string]bool, len(ids))
			for _, id := range ids {
				isNew[id] = true
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
		return d.apply(tx, s.db.Dialect)
	})
	if err != nil {
		return IngestResult{}, fmt.Errorf("store events: %w", err)
	}
	res.Accepted = inserted
	res.Duplicates += len(rows) - inserted
	return res, nil
}

func eventNames(rows []eventRow) map[string]bool {
	out := map[string]bool{}
	for _, r := range rows {
		out[r.EventName] = true
	}
	return out
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

// validateEvent checks one event against the contract and the tenant's
// meters, collecting every problem.
func validateEvent(in EventInput, now time.Time, byName map[string][]Meter) (eventRow, error) {
	var p domain.Problems
	id := strings.TrimSpace(in.ID)
	switch {
	case id == "":
		p.Add("id", "is required (the client's idempotency key)")
	case len(id) > 255:
		p.Add("id", "must be at most 255 characters")
	}
	if blank(in.EventName) {
		p.Add("event_name", "is required")
	} else if len(in.EventName) > 200 {
		p.Add("event_name", "must be at most 200 characters")
	}
	if blank(in.Customer) {
		p.Add("customer", "is required (the customer's external_id)")
	} else if len(in.Customer) > 255 {
		p.Add("customer", "must be at most 255 characters")
	}
	nowMicro := now.UnixMicro()
	ts := nowMicro
	if in.Timestamp != nil {
		ts = in.Timestamp.UnixMicro()
		if ts > nowMicro+MaxFutureSkew.Microseconds() {
			p.Add("timestamp", "is more than %s in the future", MaxFutureSkew)
		}
	}
	props, err := ParseProperties(in.Properties)
	if err != nil {
		p.Add("properties", "%s", err.Error())
	} else if err := checkStorable(in.Properties); err != nil {
		p.Add("properties", "%s", err.Error())
	}
	if err == nil {
		ev := Event{EventName: strings.TrimSpace(in.EventName), Properties: props}
		for _, m := range byName[ev.EventName] {
			if !m.Aggregation.Type.ReadsDecimal() || !m.Matches(ev) {
				continue
			}
			if _, err := props.Decimal(m.Aggregation.Field); err != nil {
				p.Add("properties."+m.Aggregation.Field, "meter %q reads this field as a decimal, but it %s", m.Key, err.Error())
			}
		}
	}
	if err := p.Err(); err != nil {
		return eventRow{}, err
	}
	raw := string(bytes.TrimSpace(in.Properties))
	if raw == "" || raw == "null" {
		raw = "{}"
	}
	return eventRow{ID: id, EventName: strings.TrimSpace(in.EventName), Customer: strings.TrimSpace(in.Customer),
		Ts: ts, Properties: raw, ReceivedAt: nowMicro}, nil
}

// ListEvents lists stored events, newest first, filtered by the query. The
// cursor is opaque.
func (s *Service) ListEvents(ctx context.Context, tenantID string, q EventQuery, page domain.Page) (domain.List[Event], error) {
	page, err := page.Normalize()
	if err != nil {
		return domain.List[Event]{}, err
	}
	db := s.db.WithContext(ctx).Where("tenant_id = ?", tenantID)
	if q.Customer != "" {
		db = db.Where("customer = ?", q.Customer)
	}
	if q.EventName != "" {
		db = db.Where("event_name = ?", q.EventName)
	}
	if q.From != nil {
		db = db.Where("ts >= ?", q.From.UnixMicro())
	}
	if q.To != nil {
		db = db.Where("ts < ?", q.To.UnixMicro())
	}
	if page.Cursor != "" {
		ts, id, err := decodeEventCursor(page.Cursor)
		if err != nil {
			return domain.List[Event]{}, domain.Invalid("cursor", "is not a cursor this list gave out")
		}
		db = db.Where("((ts < ?) OR (ts = ? AND id < ?))", ts, ts, id)
	}
	var rows []eventRow
	if err := db.Order("ts DESC, id DESC").Limit(page.Limit + 1).Find(&rows).Error; err != nil {
		return domain.List[Event]{}, fmt.Errorf("list events: %w", err)
	}
	out := make([]Event, len(rows))
	for i, r := range rows {
		out[i] = r.toEvent()
	}
	return domain.PageOf(out, page.Limit, encodeEventCursor), nil
}
