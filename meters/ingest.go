package meters

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/tallyhq/tally/domain"
)

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
	var valid []NewEvent
	var validIdx []int // valid[k] is batch[validIdx[k]]
	names := map[string]bool{}
	for i, in := range batch {
		ev, err := validateEvent(in, now, byName)
		if err != nil {
			res.Rejected = append(res.Rejected, Rejection{Index: i, Err: err})
			continue
		}
		valid = append(valid, ev)
		validIdx = append(validIdx, i)
		names[ev.EventName] = true
	}
	if valid, err = s.rejectArchived(ctx, valid, validIdx, &res); err != nil {
		return IngestResult{}, err
	}
	if len(valid) == 0 {
		return res, nil
	}
	var feeds []Meter
	for name := range names {
		feeds = append(feeds, byName[name]...)
	}
	fresh, err := s.events.WriteEvents(ctx, nil, tenantID, valid, feeds)
	if err != nil {
		return IngestResult{}, fmt.Errorf("store events: %w", err)
	}
	notifyIngested(s.notify, tenantID, valid, now)
	for _, f := range fresh {
		if f {
			res.Accepted++
		} else {
			res.Duplicates++
		}
	}
	return res, nil
}

// rejectArchived rejects the valid events dated before the store's
// archive horizon (months detached by ArchiveEventsBefore), by their index
// in the batch (valid[k] is the batch's idx[k]), and returns the others.
func (s *Service) rejectArchived(ctx context.Context, valid []NewEvent, idx []int, res *IngestResult) ([]NewEvent, error) {
	a, ok := s.events.(archiving)
	if !ok || len(valid) == 0 {
		return valid, nil
	}
	horizon, err := a.ArchivedBefore(ctx)
	if err != nil || horizon.IsZero() {
		return valid, err
	}
	kept := valid[:0:0]
	for k, ev := range valid {
		if ev.Timestamp.Before(horizon) {
			res.Rejected = append(res.Rejected, Rejection{Index: idx[k], Err: domain.Invalid("timestamp",
				"falls before %s: events of earlier months are archived (their periods are finalized), so it cannot be counted any more",
				horizon.Format(time.RFC3339))})
			continue
		}
		kept = append(kept, ev)
	}
	sort.Slice(res.Rejected, func(a, b int) bool { return res.Rejected[a].Index < res.Rejected[b].Index })
	return kept, nil
}

// validateEvent checks one event against the contract and the tenant's
// meters, collecting every problem.
func validateEvent(in EventInput, now time.Time, byName map[string][]Meter) (NewEvent, error) {
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
	} else if err := checkLimits(bytes.TrimSpace(in.Properties), props); err != nil {
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
		return NewEvent{}, err
	}
	raw := string(bytes.TrimSpace(in.Properties))
	if raw == "" || raw == "null" {
		raw = "{}"
	}
	return NewEvent{ID: id, EventName: strings.TrimSpace(in.EventName), Customer: strings.TrimSpace(in.Customer),
		Timestamp: time.UnixMicro(ts).UTC(), Properties: json.RawMessage(raw), ReceivedAt: time.UnixMicro(nowMicro).UTC(), parsed: props}, nil
}

// ListEvents lists stored events, newest first, filtered by the query. The
// cursor is opaque.
func (s *Service) ListEvents(ctx context.Context, tenantID string, q EventQuery, page domain.Page) (domain.List[Event], error) {
	page, err := page.Normalize()
	if err != nil {
		return domain.List[Event]{}, err
	}
	var after *EventKey
	if page.Cursor != "" {
		ts, id, err := decodeEventCursor(page.Cursor)
		if err != nil {
			return domain.List[Event]{}, domain.Invalid("cursor", "is not a cursor this list gave out")
		}
		after = &EventKey{Timestamp: time.UnixMicro(ts).UTC(), ID: id}
	}
	out, err := s.events.ListEvents(ctx, tenantID, q, after, page.Limit+1)
	if err != nil {
		return domain.List[Event]{}, fmt.Errorf("list events: %w", err)
	}
	return domain.PageOf(out, page.Limit, encodeEventCursor), nil
}

// notifyIngested tells n which customers got events, with the latest
// timestamp of those lying ahead of now.
func notifyIngested(n domain.Notifier, tenantID string, evs []NewEvent, now time.Time) {
	if n == nil {
		return
	}
	ahead := map[string]time.Time{}
	for _, e := range evs {
		t, ok := ahead[e.Customer]
		if !ok || e.Timestamp.After(t) {
			if e.Timestamp.After(now) {
				t = e.Timestamp
			}
			ahead[e.Customer] = t
		}
	}
	for c, t := range ahead {
		n.Changed(domain.Change{TenantID: tenantID, ExternalID: c, EventsUntil: t})
	}
}
