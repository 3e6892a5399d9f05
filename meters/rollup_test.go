package meters_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
	"github.com/tallyhq/tally/tenants"
	"gorm.io/gorm"
)

func newTenant(t *testing.T, db *store.DB) string {
	t.Helper()
	tn, _, err := tenants.NewService(db, domain.SystemClock{}).CreateTenant(context.Background(), tenants.CreateTenantInput{Name: "t"})
	if err != nil {
		t.Fatal(err)
	}
	return tn.ID
}

func ensure(t *testing.T, db *store.DB, m meters.Meter, f meters.Filters) {
	t.Helper()
	err := db.Tx(context.Background(), func(tx *gorm.DB) error {
		return meters.EnsureSeries(tx, db.Dialect, time.Now(), m, f)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRollupsAgreeWithRawEvents sends events out of order, resends some,
// creates one series before and one after the events (a backfill), and
// checks that every rollup-served quantity equals the aggregate of the raw
// events, over windows that start and end mid-hour.
func TestRollupsAgreeWithRawEvents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		tenant := newTenant(t, db)
		now := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
		svc := meters.NewService(db, domain.NewFixedClock(now))
		types := []meters.AggregationType{meters.Count, meters.Sum, meters.Max, meters.Latest}
		var ms []meters.Meter
		for _, typ := range types {
			in := meters.CreateInput{Key: "m_" + string(typ), EventName: "llm", Aggregation: meters.Aggregation{Type: typ, Field: "tokens"},
				Filters: meters.Filters{"region": {meters.StringValue("eu"), meters.StringValue("us")}}}
			if typ == meters.Count {
				in.Aggregation.Field = ""
			}
			m, err := svc.Create(ctx, tenant, in)
			if err != nil {
				t.Fatal(err)
			}
			ms = append(ms, m)
		}
		byModel := meters.Filters{"model": {meters.StringValue("o1")}}
		for _, m := range ms {
			ensure(t, db, m, byModel) // before the events: kept at ingestion
		}
		rng := rand.New(rand.NewSource(7))
		start := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
		var batch []meters.EventInput
		for i := 0; i < 1500; i++ {
			ts := start.Add(time.Duration(rng.Int63n(int64(20 * 24 * time.Hour)))).Truncate(time.Second)
			if i%50 == 0 {
				ts = start.Add(time.Duration(i) * time.Hour) // exact hour boundaries, and ties
			}
			props := map[string]any{"model": []string{"o1", "gpt"}[rng.Intn(2)], "region": []string{"eu", "us", "ap"}[rng.Intn(3)],
				"tokens": fmt.Sprintf("%d.%03d", rng.Intn(100000), rng.Intn(1000))}
			raw, _ := json.Marshal(props)
			batch = append(batch, meters.EventInput{ID: fmt.Sprintf("e%d", rng.Intn(1200)), EventName: "llm", Customer: "acme", Timestamp: &ts, Properties: raw})
		}
		// Events where mistakes show: just before, at and after the windows'
		// edges, and equal timestamps (latest ties go to the greater id),
		// sent in separate batches so that they merge across transactions.
		edges := []time.Duration{60 * time.Minute, 89*time.Minute + 59*time.Second, 90 * time.Minute, 5*time.Hour + 5*time.Minute,
			5*time.Hour + 10*time.Minute, 7*24*time.Hour + 17*time.Minute + 2*time.Second, 7*24*time.Hour + 17*time.Minute + 3*time.Second,
			10*24*time.Hour + 29*time.Minute, 10*24*time.Hour + 30*time.Minute}
		for i, d := range edges {
			ts := start.Add(d)
			for k, id := range []string{"tie-b", "tie-a", "tie-c"} {
				raw, _ := json.Marshal(map[string]any{"model": "o1", "region": "eu", "tokens": fmt.Sprintf("%d", 1000*(i+1)+k)})
				for _, cust := range []string{"acme", "ties"} {
					batch = append([]meters.EventInput{{ID: fmt.Sprintf("%s-%s-%d", cust, id, i), EventName: "llm", Customer: cust, Timestamp: &ts, Properties: raw}}, batch...)
				}
			}
		}
		for i := 0; i < 6*len(edges); i++ {
			if _, err := svc.Ingest(ctx, tenant, batch[i:i+1]); err != nil {
				t.Fatal(err)
			}
		}
		for i := 0; i < len(batch); i += 300 {
			if _, err := svc.Ingest(ctx, tenant, batch[i:min(i+300, len(batch))]); err != nil {
				t.Fatal(err)
			}
		}
		for _, m := range ms {
			ensure(t, db, m, meters.Filters{}) // after the events: backfilled
		}
		stored := func(customer string) []meters.Event {
			all, err := svc.ListEvents(ctx, tenant, meters.EventQuery{Customer: customer}, domain.Page{Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			events := all.Data
			for all.NextCursor != "" {
				if all, err = svc.ListEvents(ctx, tenant, meters.EventQuery{Customer: customer}, domain.Page{Limit: 500, Cursor: all.NextCursor}); err != nil {
					t.Fatal(err)
				}
				events = append(events, all.Data...)
			}
			return events
		}
		events := map[string][]meters.Event{"acme": stored("acme"), "ties": stored("ties")}
		windows := []meters.Window{
			{Period: domain.Period{Start: start, End: start.AddDate(0, 1, 0)}},
			{Period: domain.Period{Start: start.Add(90 * time.Minute), End: start.Add(10*24*time.Hour + 30*time.Minute)}},
			{Period: domain.Period{Start: start.Add(5*time.Hour + 10*time.Minute), End: start.Add(5*time.Hour + 50*time.Minute)}},
			{Period: domain.Period{Start: start.Add(89*time.Minute + 30*time.Second), End: start.Add(7*24*time.Hour + 17*time.Minute + 2*time.Second + 500*time.Millisecond)}},
			{Period: domain.Period{Start: start.Add(5*time.Hour + 10*time.Minute + 1*time.Second), End: start.Add(5*time.Hour + 10*time.Minute + 59*time.Second)}},
			{Period: domain.Period{Start: start, End: start.AddDate(0, 1, 0)}, Until: start.Add(7*24*time.Hour + 17*time.Minute + 3*time.Second)},
		}
		for _, m := range ms {
			for _, f := range []meters.Filters{{}, byModel} {
				for wi, w := range windows {
					for _, cust := range []string{"acme", "ties"} {
						got, err := svc.Quantity(ctx, tenant, m, cust, f, w)
						if err != nil {
							t.Fatal(err)
						}
						want := meters.Aggregate(m, f, events[cust], nil, w)
						if !got.Equal(want) {
							t.Errorf("%s of %s, filters %v, window %d: rollups give %s, raw events %s", m.Key, cust, f, wi, got, want)
						}
						if wi == 0 && m.Aggregation.Type == meters.Count && got.Equal(decimal.Zero) {
							t.Errorf("%s of %s: no events counted at all", m.Key, cust)
						}
					}
				}
			}
		}
	})
}
