package meters_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/domain/eventvalue"
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

// spellings are values of "v" that equality of values must see through.
var spellings = []string{`1e2`, `100`, `100.0`, `"100"`, `-0`, `0`, `0.0`, `1.50`, `1.5`, `15e-1`,
	`"caf\u00e9"`, `"café"`, `"cafe"`, `true`, `"true"`, `false`, `"1"`, `1`, `1.0`, `null`, `[1]`}

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
// events, over windows that start and end mid-hour. Events carry a "v" in
// every spelling that equality of values must see through (1e2 and 100.0,
// -0 and 0, escaped strings, "1" beside 1), filtered on by prices and
// counted by unique_count, and latest ties among ids that differ only in
// case; the raw aggregate is taken both of the events as sent and as the
// store returns them (Postgres's jsonb rewrites them), and all must agree.
func TestRollupsAgreeWithRawEvents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		tenant := newTenant(t, db)
		now := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
		svc := meters.NewService(db, domain.NewFixedClock(now), nil)
		types := []meters.AggregationType{meters.Count, meters.Sum, meters.Max, meters.Latest, meters.UniqueCount}
		var ms []meters.Meter
		for _, typ := range types {
			in := meters.CreateInput{Key: "m_" + string(typ), EventName: "llm", Aggregation: meters.Aggregation{Type: typ, Field: "tokens"},
				Filters: meters.Filters{"region": {eventvalue.StringValue("eu"), eventvalue.StringValue("us")}}}
			switch typ {
			case meters.Count:
				in.Aggregation.Field = ""
			case meters.UniqueCount:
				in.Aggregation.Field = "v"
			}
			m, err := svc.Create(ctx, tenant, in)
			if err != nil {
				t.Fatal(err)
			}
			ms = append(ms, m)
		}
		byModel := meters.Filters{"model": {eventvalue.StringValue("o1")}}
		filterSets := []meters.Filters{{}, byModel, filtersOf(t, `{"v": [100]}`), filtersOf(t, `{"v": ["caf\u00e9", 1.5, true]}`),
			filtersOf(t, `{"v": ["1", 0], "model": ["o1"]}`)}
		for _, m := range ms {
			for _, f := range filterSets[1:4] {
				ensure(t, db, m, f) // before the events: kept at ingestion
			}
		}
		rng := rand.New(rand.NewSource(7))
		start := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
		var batch []meters.EventInput
		for i := 0; i < 1500; i++ {
			ts := start.Add(time.Duration(rng.Int63n(int64(20 * 24 * time.Hour)))).Truncate(time.Second)
			if i%50 == 0 {
				ts = start.Add(time.Duration(i) * time.Hour) // exact hour boundaries, and ties
			}
			raw := fmt.Sprintf(`{"model": %q, "region": %q, "tokens": "%d.%03d", "v": %s}`, []string{"o1", "gpt"}[rng.Intn(2)],
				[]string{"eu", "us", "ap"}[rng.Intn(3)], rng.Intn(100000), rng.Intn(1000), spellings[rng.Intn(len(spellings))])
			id := fmt.Sprintf("e%d", rng.Intn(1200))
			if rng.Intn(2) == 0 {
				id = strings.ToUpper(id) // "E7" sorts before "e7" by bytes, after it in many collations
			}
			batch = append(batch, meters.EventInput{ID: id, EventName: "llm", Customer: "acme", Timestamp: &ts, Properties: json.RawMessage(raw)})
		}
		// Events where mistakes show: just before, at and after the windows'
		// edges, and equal timestamps (latest ties go to the greater id),
		// sent in separate batches so that they merge across transactions.
		edges := []time.Duration{60 * time.Minute, 89*time.Minute + 59*time.Second, 90 * time.Minute, 5*time.Hour + 5*time.Minute,
			5*time.Hour + 10*time.Minute, 7*24*time.Hour + 17*time.Minute + 2*time.Second, 7*24*time.Hour + 17*time.Minute + 3*time.Second,
			10*24*time.Hour + 29*time.Minute, 10*24*time.Hour + 30*time.Minute}
		for i, d := range edges {
			ts := start.Add(d)
			for k, id := range []string{"tie-b", "tie-a", "tie-B", "tie-c"} {
				raw := fmt.Sprintf(`{"model": "o1", "region": "eu", "tokens": "%d", "v": %s}`, 1000*(i+1)+k, spellings[(4*i+k)%len(spellings)])
				for _, cust := range []string{"acme", "ties"} {
					batch = append([]meters.EventInput{{ID: fmt.Sprintf("%s-%s-%d", cust, id, i), EventName: "llm", Customer: cust, Timestamp: &ts, Properties: json.RawMessage(raw)}}, batch...)
				}
			}
		}
		// What ingestion kept, in order (the first of each id wins).
		var accepted []meters.EventInput
		send := func(part []meters.EventInput) {
			res, err := svc.Ingest(ctx, tenant, part)
			if err != nil {
				t.Fatal(err)
			}
			rejected := map[int]bool{}
			for _, r := range res.Rejected {
				rejected[r.Index] = true // the hourly events past "now"
			}
			for i, in := range part {
				if !rejected[i] {
					accepted = append(accepted, in)
				}
			}
		}
		for i := 0; i < 8*len(edges); i++ {
			send(batch[i : i+1])
		}
		for i := 0; i < len(batch); i += 300 {
			send(batch[i:min(i+300, len(batch))])
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
		// The events as sent: the first of each id wins, as at ingestion.
		sent := map[string][]meters.Event{}
		kept := map[string]bool{}
		for _, in := range accepted {
			if kept[in.ID] {
				continue
			}
			kept[in.ID] = true
			props, err := meters.ParseProperties(in.Properties)
			if err != nil {
				t.Fatal(err)
			}
			sent[in.Customer] = append(sent[in.Customer], meters.Event{ID: in.ID, EventName: in.EventName, Customer: in.Customer, Timestamp: *in.Timestamp, Properties: props})
		}
		windows := []meters.Window{
			{Period: domain.Period{Start: start, End: start.AddDate(0, 1, 0)}},
			{Period: domain.Period{Start: start.Add(90 * time.Minute), End: start.Add(10*24*time.Hour + 30*time.Minute)}},
			{Period: domain.Period{Start: start.Add(5*time.Hour + 10*time.Minute), End: start.Add(5*time.Hour + 50*time.Minute)}},
			{Period: domain.Period{Start: start.Add(89*time.Minute + 30*time.Second), End: start.Add(7*24*time.Hour + 17*time.Minute + 2*time.Second + 500*time.Millisecond)}},
			{Period: domain.Period{Start: start.Add(5*time.Hour + 10*time.Minute + 1*time.Second), End: start.Add(5*time.Hour + 10*time.Minute + 59*time.Second)}},
			{Period: domain.Period{Start: start, End: start.AddDate(0, 1, 0)}, Until: start.Add(7*24*time.Hour + 17*time.Minute + 3*time.Second)},
		}
		for _, m := range ms {
			for _, f := range filterSets {
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
						if asSent := meters.Aggregate(m, f, sent[cust], nil, w); !asSent.Equal(want) {
							t.Errorf("%s of %s, filters %v, window %d: the events as sent give %s, as stored %s", m.Key, cust, f, wi, asSent, want)
						}
						if wi == 0 && m.Aggregation.Type == meters.Count && len(f) == 0 && got.Equal(decimal.Zero) {
							t.Errorf("%s of %s: no events counted at all", m.Key, cust)
						}
					}
				}
			}
		}
		// Usage series (rollups for count, sum, max and latest) agree with
		// the raw events bucket by bucket: UTC hours, and days in zones
		// whose midnights fall on the half and quarter hour or move (DST).
		for _, m := range ms {
			for _, zone := range []string{"UTC", "Asia/Kolkata", "Asia/Kathmandu", "America/Santiago", "Pacific/Chatham"} {
				loc, err := time.LoadLocation(zone)
				if err != nil {
					t.Fatal(err)
				}
				for _, g := range []meters.Granularity{meters.Day, meters.Hour} {
					q := meters.SeriesQuery{Meter: m, Customer: "acme", From: start.Add(90 * time.Minute), To: start.AddDate(0, 0, 12), Granularity: g, Location: loc}
					if g == meters.Hour {
						q.To = start.AddDate(0, 0, 4)
					}
					pts, err := svc.Series(ctx, tenant, q)
					if err != nil {
						t.Fatal(err)
					}
					buckets, err := meters.SeriesBuckets(q)
					if err != nil {
						t.Fatal(err)
					}
					want := meters.AggregateBuckets(m, events["acme"], nil, buckets, loc)
					if len(pts) != len(want) {
						t.Fatalf("%s %s series in %s: %d points, want %d", m.Key, g, zone, len(pts), len(want))
					}
					for i := range pts {
						if !pts[i].Value.Equal(want[i]) {
							t.Errorf("%s %s series in %s, bucket %s: %s, raw events %s", m.Key, g, zone, pts[i].Start, pts[i].Value, want[i])
						}
					}
				}
			}
		}
	})
}
