package meters_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
)

// useICUCollation gives the id columns of the Postgres schema an ICU
// collation, under which "evt-a" sorts before "evt-B" (letters first, case
// second), so that any comparison of ids left to the database would show.
func useICUCollation(t *testing.T, db *store.DB) {
	t.Helper()
	var icuFirst bool
	if err := db.Gorm.Raw(`SELECT 'evt-a' COLLATE "und-x-icu" < 'evt-B' COLLATE "und-x-icu"`).Scan(&icuFirst).Error; err != nil {
		t.Fatalf("this Postgres has no ICU collation: %v", err)
	}
	if !icuFirst {
		t.Fatal(`ICU should sort "evt-a" before "evt-B"`)
	}
	for _, stmt := range []string{
		`ALTER TABLE events ALTER COLUMN id TYPE TEXT COLLATE "und-x-icu"`,
		`ALTER TABLE usage_rollups ALTER COLUMN latest_id TYPE TEXT COLLATE "und-x-icu"`,
		`ALTER TABLE usage_rollups_minute ALTER COLUMN latest_id TYPE TEXT COLLATE "und-x-icu"`,
	} {
		if err := db.Gorm.Exec(stmt).Error; err != nil {
			t.Fatal(err)
		}
	}
}

// TestLatestTiesGoToTheGreaterIDByBytesWhateverTheCollation sends two
// events at one instant, "evt-a" (gb 2) and "evt-B" (gb 1). By bytes
// "evt-a" is the greater id ('a' is 0x61, 'B' 0x42), so latest is 2 on every
// path and both stores, even where the Postgres columns sort by ICU (where
// "evt-B" would win and give 1). unit_days carries the tie's winner too.
func TestLatestTiesGoToTheGreaterIDByBytesWhateverTheCollation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if db.Dialect == store.Postgres {
			useICUCollation(t, db)
		}
		ctx := context.Background()
		tenant := newTenant(t, db)
		svc := meters.NewService(db, domain.NewFixedClock(at("2026-06-01T00:00:00Z")), nil)
		create := func(key string, typ meters.AggregationType) meters.Meter {
			m, err := svc.Create(ctx, tenant, meters.CreateInput{Key: key, EventName: "disk", Aggregation: meters.Aggregation{Type: typ, Field: "gb"}})
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		early := create("latest_early", meters.Latest)
		ensure(t, db, early, meters.Filters{}) // kept at ingestion, merged across batches
		ts := at("2026-05-04T10:30:30Z")
		send := func(ids ...string) {
			for _, id := range ids {
				gb := `1`
				if id[len(id)-1] == 'a' {
					gb = `2`
				}
				in := meters.EventInput{ID: id, EventName: "disk", Customer: id[:len(id)-1], Timestamp: &ts, Properties: json.RawMessage(`{"gb": ` + gb + `}`)}
				if _, err := svc.Ingest(ctx, tenant, []meters.EventInput{in}); err != nil {
					t.Fatal(err)
				}
			}
		}
		send("evt-a", "evt-B")           // customer "evt-": the greater id first
		send("late/evt-B", "late/evt-a") // customer "late/evt-": the greater id last
		late := create("latest_backfilled", meters.Latest)
		two := decimal.NewFromInt(2)
		for _, m := range []meters.Meter{early, late} {
			for _, cust := range []string{"evt-", "late/evt-"} {
				for _, p := range quantityPaths {
					got, err := svc.Quantity(ctx, tenant, m, cust, nil, p.w)
					if err != nil {
						t.Fatal(err)
					}
					if !got.Equal(two) {
						t.Errorf("%s of %s, %s: latest %s, want 2 (evt-a's)", m.Key, cust, p.name, got)
					}
				}
			}
		}
		days := create("unit_days", meters.UnitDays)
		// May 5 has no event: it carries the last value before it, the tie's
		// winner evt-a's 2.
		next := meters.Window{Period: domain.Period{Start: at("2026-05-05T00:00:00Z"), End: at("2026-05-06T00:00:00Z")}}
		for _, cust := range []string{"evt-", "late/evt-"} {
			got, err := svc.Quantity(ctx, tenant, days, cust, nil, next)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(two) {
				t.Errorf("unit_days of %s on the next day: %s, want 2", cust, got)
			}
			pts, err := svc.Series(ctx, tenant, meters.SeriesQuery{Meter: days, Customer: cust, From: at("2026-05-04T00:00:00Z"),
				To: at("2026-05-06T00:00:00Z"), Granularity: meters.Day})
			if err != nil {
				t.Fatal(err)
			}
			if len(pts) != 2 || !pts[0].Value.Equal(two) || !pts[1].Value.Equal(two) {
				t.Errorf("unit_days daily series of %s: %v, want 2 and 2", cust, pts)
			}
		}
	})
}
