package meters_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
)

// TestConcurrentWritersOfOneCustomerAgreeWithRawEvents has eight writers
// ingest one customer's events into the same hours at once, so that on
// Postgres their transactions fold into different rollup shards of the
// same buckets (checked: more than one shard is used), and checks that
// every rollup-served quantity (count, sum, max, latest with ties) still
// equals the aggregate of the stored events, over whole and partial hours.
func TestConcurrentWritersOfOneCustomerAgreeWithRawEvents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		tenant := newTenant(t, db)
		start := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
		svc := meters.NewService(db, domain.NewFixedClock(start.AddDate(0, 1, 0)), nil)
		ms := createMeters(t, svc, tenant, meters.Count, meters.Sum, meters.Max, meters.Latest)
		for _, m := range ms {
			ensure(t, db, m, meters.Filters{}) // kept at ingestion, not backfilled
		}
		const writers, batches, per = 8, 12, 50
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for b := 0; b < batches; b++ {
					batch := make([]meters.EventInput, per)
					for i := range batch {
						n := (w*batches+b)*per + i
						ts := start.Add(time.Duration(n%180) * time.Minute / 2) // 90 minutes, every writer in every minute
						batch[i] = meters.EventInput{ID: fmt.Sprintf("e%05d", n), EventName: "llm", Customer: "acme", Timestamp: &ts,
							Properties: json.RawMessage(fmt.Sprintf(`{"tokens": "%d.%d"}`, n%97, n%10))}
					}
					if _, err := svc.Ingest(ctx, tenant, batch); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if db.Dialect == store.Postgres {
			var shards int
			if err := db.Gorm.Raw("SELECT count(DISTINCT shard) FROM usage_rollups_minute").Scan(&shards).Error; err != nil {
				t.Fatal(err)
			}
			if shards < 2 {
				t.Fatalf("the writers used %d rollup shard(s): the test did not exercise shards", shards)
			}
			t.Logf("%d shards in use", shards)
		}
		all, err := svc.ListEvents(ctx, tenant, meters.EventQuery{Customer: "acme"}, domain.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		events := all.Data
		for all.NextCursor != "" {
			if all, err = svc.ListEvents(ctx, tenant, meters.EventQuery{Customer: "acme"}, domain.Page{Limit: 100, Cursor: all.NextCursor}); err != nil {
				t.Fatal(err)
			}
			events = append(events, all.Data...)
		}
		if len(events) != writers*batches*per {
			t.Fatalf("stored %d events, sent %d", len(events), writers*batches*per)
		}
		windows := []meters.Window{
			{Period: domain.Period{Start: start, End: start.AddDate(0, 1, 0)}},
			{Period: domain.Period{Start: start.Add(17*time.Minute + 30*time.Second), End: start.Add(71 * time.Minute)}},
			{Period: domain.Period{Start: start.Add(time.Hour), End: start.Add(89*time.Minute + 59*time.Second)}},
			// Ending inside a minute after its last event (the minute's
			// rollup serves it), and before its last event (raw events do).
			{Period: domain.Period{Start: start, End: start.Add(45*time.Minute + 30*time.Second + 500*time.Millisecond)}},
			{Period: domain.Period{Start: start, End: start.Add(45*time.Minute + 15*time.Second)}},
		}
		for _, m := range ms {
			for wi, w := range windows {
				got, err := svc.Quantity(ctx, tenant, m, "acme", meters.Filters{}, w)
				if err != nil {
					t.Fatal(err)
				}
				if want := meters.Aggregate(m, meters.Filters{}, events, nil, w); !got.Equal(want) {
					t.Errorf("%s, window %d: rollups give %s, raw events %s", m.Key, wi, got, want)
				}
			}
		}
	})
}
