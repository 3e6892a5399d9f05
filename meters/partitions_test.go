package meters_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
)

// TestMonthlyPartitions ingests events over fourteen months and checks,
// on Postgres, that each month got a partition of its own before its
// events were written and holds exactly them; then archives the first six
// months and checks that their partitions are detached (kept as plain
// tables), that quantities of whole hours there are still served from the
// rollups, that a late event for an archived month is rejected on its
// timestamp while a resent id stays a duplicate, and that later months
// still take events. On SQLite archiving is refused and nothing changes.
func TestMonthlyPartitions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		tenant := newTenant(t, db)
		first := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		svc := meters.NewService(db, domain.NewFixedClock(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)), nil)
		m, err := svc.Create(ctx, tenant, meters.CreateInput{Key: "tokens", EventName: "llm", Aggregation: meters.Aggregation{Type: meters.Sum, Field: "tokens"}})
		if err != nil {
			t.Fatal(err)
		}
		ensure(t, db, m, meters.Filters{})
		const months, perMonth = 14, 30
		var batch []meters.EventInput
		for mo := 0; mo < months; mo++ {
			for i := 0; i < perMonth; i++ {
				ts := first.AddDate(0, mo, 0).Add(time.Duration(i) * 23 * time.Hour)
				batch = append(batch, meters.EventInput{ID: fmt.Sprintf("e-%02d-%02d", mo, i), EventName: "llm", Customer: "acme", Timestamp: &ts,
					Properties: json.RawMessage(fmt.Sprintf(`{"tokens": %d}`, 1+i))})
			}
		}
		res, err := svc.Ingest(ctx, tenant, batch) // one batch across every month
		if err != nil || res.Accepted != len(batch) {
			t.Fatalf("ingest: %+v, %v", res, err)
		}
		march := meters.Window{Period: domain.Period{Start: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)}}
		before, err := svc.Quantity(ctx, tenant, m, "acme", meters.Filters{}, march)
		if err != nil || !before.Equal(decimal.NewFromInt(perMonth*(perMonth+1)/2)) {
			t.Fatalf("march before archiving: %s, %v", before, err)
		}
		horizon := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
		if db.Dialect != store.Postgres {
			if _, err := meters.ArchiveEventsBefore(ctx, db, horizon, false); !errors.Is(err, meters.ErrArchiveUnsupported) {
				t.Fatalf("sqlite archive: %v, want ErrArchiveUnsupported", err)
			}
			return
		}
		counts := map[string]int{}
		rows, err := db.Gorm.Raw("SELECT tableoid::regclass::text, count(*) FROM events GROUP BY 1").Rows()
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var name string
			var n int
			if err := rows.Scan(&name, &n); err != nil {
				t.Fatal(err)
			}
			counts[name] = n
		}
		rows.Close()
		for mo := 0; mo < months; mo++ {
			name := fmt.Sprintf("events_p%s", first.AddDate(0, mo, 0).Format("200601"))
			if counts[name] != perMonth {
				t.Errorf("partition %s holds %d events, want %d (all: %v)", name, counts[name], perMonth, counts)
			}
		}
		if len(counts) != months {
			t.Errorf("events live in %d partitions, want %d: %v", len(counts), months, counts)
		}

		if _, err := meters.ArchiveEventsBefore(ctx, db, horizon.Add(time.Hour), false); err == nil {
			t.Fatal("archiving before a date that is not a month start succeeded")
		}
		got, err := meters.ArchiveEventsBefore(ctx, db, horizon, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Detached) != 6 || got.Detached[0] != "events_p202501" || got.Detached[5] != "events_p202506" {
			t.Fatalf("detached %v, want events_p202501 … events_p202506", got.Detached)
		}
		var attached, kept int64
		db.Gorm.Raw("SELECT count(*) FROM events").Scan(&attached)
		db.Gorm.Raw("SELECT count(*) FROM events_p202503").Scan(&kept)
		if attached != (months-6)*perMonth || kept != perMonth {
			t.Fatalf("after archiving: %d events attached (want %d), the detached March table holds %d (want %d)", attached, (months-6)*perMonth, kept, perMonth)
		}
		after, err := svc.Quantity(ctx, tenant, m, "acme", meters.Filters{}, march)
		if err != nil || !after.Equal(before) {
			t.Fatalf("march after archiving: %s (%v), want %s from the rollups", after, err, before)
		}
		late := time.Date(2025, 3, 15, 12, 0, 0, 0, time.UTC)
		now := time.Date(2026, 2, 20, 0, 0, 0, 0, time.UTC)
		res, err = svc.Ingest(ctx, tenant, []meters.EventInput{
			{ID: "late-1", EventName: "llm", Customer: "acme", Timestamp: &late, Properties: json.RawMessage(`{"tokens": 5}`)},
			{ID: "e-02-03", EventName: "llm", Customer: "acme", Timestamp: &now, Properties: json.RawMessage(`{"tokens": 5}`)}, // an archived event's id
			{ID: "fresh-1", EventName: "llm", Customer: "acme", Timestamp: &now, Properties: json.RawMessage(`{"tokens": 5}`)},
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.Accepted != 1 || res.Duplicates != 1 || len(res.Rejected) != 1 || res.Rejected[0].Index != 0 ||
			!strings.Contains(res.Rejected[0].Err.Error(), "archived") {
			t.Fatalf("late event: %+v", res)
		}
		if e, ok := domain.AsError(res.Rejected[0].Err); !ok || len(e.Fields) == 0 || e.Fields[0].Field != "timestamp" {
			t.Fatalf("the rejection does not name the timestamp: %v", res.Rejected[0].Err)
		}
		var stored int64
		db.Gorm.Raw("SELECT count(*) FROM event_ids WHERE id = 'late-1'").Scan(&stored)
		if stored != 0 {
			t.Fatal("the rejected late event's id was stored")
		}
		again, err := meters.ArchiveEventsBefore(ctx, db, horizon, false)
		if err != nil || len(again.Detached) != 0 {
			t.Fatalf("archiving again: %+v, %v", again, err)
		}
	})
}
