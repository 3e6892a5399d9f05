package meters

import (
	"context"
	"encoding/json"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
	"gorm.io/gorm"
)

// EventStore keeps a tenant's usage events and answers the aggregation
// queries billing asks: it is the one seam between package meters and a
// database. Service validates events against the tenant's meters and calls
// the store; nothing else in Tally reads or writes events. Every
// implementation must pass the conformance suite in package
// meters/eventstoretest, which checks each guarantee below; adding a store
// (a partitioned Postgres, a column store) is writing one package that
// implements this interface and runs that suite. The SQLite and Postgres
// stores are NewSQLStore's.
//
// Guarantees every implementation keeps:
//
//   - Exactly once by (tenant, id): an event id is stored once per tenant,
//     whatever its payload, timestamp or customer. The first write wins, in
//     one batch (the earlier index), across batches and across concurrent
//     writers (which must not deadlock each other whatever their order); a
//     duplicate changes nothing, rollups included.
//   - Rollups are an optimization only: a quantity read through any
//     precomputed form (rollup series kept at ingestion, or backfilled from
//     the stored events when created after them) equals Aggregate of the
//     raw events, for every window, aligned to hours, to minutes or not at
//     all, and whatever order or lateness the events arrived in.
//   - Values compare as JSON values (Value, pricing.md's equality of event
//     values) in Go, never by a database: 1e2, 100 and 100.0 are one value,
//     "caf\u00e9" is "café", the string "1" is not the number 1. This holds
//     for meter filters, price filters and unique_count, and must survive
//     whatever rewriting the store does to the stored properties (Postgres
//     jsonb rewrites them).
//   - latest ties on one timestamp go to the greater id by bytes (UTF-8,
//     Go's string order), never by a database collation; unit_days carries
//     that tie's winner too.
//   - Windows are half-open, [Period.Start, Window.End()): an event at End
//     counts in the next window. Timestamps are kept to the microsecond.
//   - unit_days and day buckets count the calendar days of the window's
//     Location (nil is UTC) as package calendar defines them, and carry the
//     last value seen before a day, even from before the window.
//   - Events of a customer external_id that does not exist yet are stored
//     and count like any other; the store knows customers only by that text.
type EventStore interface {
	// WriteEvents stores a batch of validated events of the tenant exactly
	// once and updates every rollup series of feeds (the tenant's meters,
	// archived included, that may count them) in the same transaction.
	// fresh[i] reports whether batch[i] was newly stored; false means its id
	// was already known (earlier in the batch, in an earlier batch, or in a
	// concurrent one) and nothing was written for it. With tx nil the store
	// commits in its own transaction before returning; otherwise the writes
	// join tx and commit or roll back with it (the SQL stores take the
	// *gorm.DB that store.DB.Tx hands out on their own database; a store that
	// cannot join the caller's transaction returns an error for a non-nil tx).
	WriteEvents(ctx context.Context, tx *gorm.DB, tenantID string, batch []NewEvent, feeds []Meter) (fresh []bool, err error)

	// EnsureSeries makes sure the store keeps what it needs to answer the
	// meter's quantities narrowed by filters (a usage price's) quickly: for
	// the SQL stores a rollup series, created and backfilled from the stored
	// events at once, so that no event written meanwhile is lost or counted
	// twice. Equal filter sets (same properties, equal values in any order
	// or repeated) share one series. Calling it again is harmless; a store
	// without rollups may do nothing. tx is as for WriteEvents; now stamps
	// what it creates.
	EnsureSeries(ctx context.Context, tx *gorm.DB, m Meter, filters Filters, now time.Time) error

	// Quantity aggregates the meter's events of one customer (external_id)
	// over the window, narrowed by filters (a price's): what Aggregate gives
	// of those events, with, for unit_days, the last counted event before
	// the window carried in. An empty or inverted window is zero.
	Quantity(ctx context.Context, tenantID string, m Meter, customer string, filters Filters, w Window) (decimal.Decimal, error)

	// Series aggregates the meter's events of one customer in each of
	// buckets (contiguous, ascending, as SeriesBuckets cuts them), each as a
	// period of its own in loc: what AggregateBuckets gives of the events.
	// unit_days carries the last value into later buckets and from before
	// the first.
	Series(ctx context.Context, tenantID string, m Meter, customer string, buckets []domain.Period, loc *time.Location) ([]decimal.Decimal, error)

	// ListEvents lists the tenant's events matching q, newest first by
	// (timestamp, id), at most limit of them, starting strictly after the
	// event at key after (nil: from the newest). Paging with the last event
	// of each page as after visits every matching event exactly once.
	ListEvents(ctx context.Context, tenantID string, q EventQuery, after *EventKey, limit int) ([]Event, error)
}

// NewEvent is one validated event to store. Properties is the JSON object
// as sent (a store may keep it as text or rewrite it, but must compare its
// values as Value does); Timestamp and ReceivedAt are kept to the
// microsecond.
type NewEvent struct {
	ID         string
	EventName  string
	Customer   string
	Timestamp  time.Time
	Properties json.RawMessage
	ReceivedAt time.Time

	// parsed is Properties as Ingest parsed them while validating (nil
	// when built elsewhere), so that the SQL store does not parse them
	// again for the rollups.
	parsed Properties
}

// Event is the stored event the input describes, as a store returns it.
func (n NewEvent) Event() Event {
	p, err := ParseProperties(n.Properties)
	if err != nil {
		p = Properties{}
	}
	return Event{ID: n.ID, EventName: n.EventName, Customer: n.Customer, Timestamp: time.UnixMicro(n.Timestamp.UnixMicro()).UTC(),
		Properties: p, ReceivedAt: time.UnixMicro(n.ReceivedAt.UnixMicro()).UTC()}
}

// EventKey is an event's place in listing order: its timestamp (to the
// microsecond) and id.
type EventKey struct {
	Timestamp time.Time
	ID        string
}
