package meters_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/domain/eventvalue"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
)

// TestQuantitiesAnswerWhatQuantityAnswersForEachAsk asks, for 40 customers
// (some with no events, some sharing hours), every meter type over whole,
// minute and unaligned windows, with and without a price filter, all in
// one Quantities call, and compares each answer with Quantity's.
func TestQuantitiesAnswerWhatQuantityAnswersForEachAsk(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		tenant := newTenant(t, db)
		start := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
		svc := meters.NewService(db, domain.NewFixedClock(start.AddDate(0, 2, 0)), nil)
		ms := createMeters(t, svc, tenant, meters.Count, meters.Sum, meters.Max, meters.Latest, meters.UniqueCount)
		var batch []meters.EventInput
		for n := 0; n < 900; n++ {
			ts := start.Add(time.Duration(n*4111) * time.Second) // spread over ~6 weeks, odd seconds
			batch = append(batch, meters.EventInput{ID: fmt.Sprintf("e%04d", n), EventName: "llm", Customer: fmt.Sprintf("c%d", n%30), Timestamp: &ts,
				Properties: json.RawMessage(fmt.Sprintf(`{"tokens": %d.%d, "model": "%s"}`, n%97, n%10, "ab"[n%2:n%2+1]))})
		}
		for from := 0; from < len(batch); from += 300 {
			if _, err := svc.Ingest(ctx, tenant, batch[from:from+300]); err != nil {
				t.Fatal(err)
			}
		}
		windows := []struct {
			name string
			w    meters.Window
		}{
			{"a whole month", meters.Window{Period: domain.Period{Start: start, End: start.AddDate(0, 1, 0)}}},
			{"whole minutes at both ends", meters.Window{Period: domain.Period{Start: start.Add(17 * time.Minute), End: start.Add(50*time.Hour + 3*time.Minute)}}},
			{"an unaligned window", meters.Window{Period: domain.Period{Start: start.Add(17*time.Minute + 5*time.Second), End: start.Add(9 * 24 * time.Hour)}}},
			{"a window cut by until", meters.Window{Period: domain.Period{Start: start, End: start.AddDate(0, 1, 0)}, Until: start.Add(400*time.Hour + 30*time.Second)}},
			{"an empty window", meters.Window{Period: domain.Period{Start: start, End: start}}},
		}
		filters := []meters.Filters{{}, {"model": {eventvalue.StringValue("a")}}}
		var asks []meters.QuantityAsk
		var named []string
		for _, w := range windows {
			for _, m := range ms {
				for _, f := range filters {
					for c := 0; c < 40; c++ { // c30…c39 have no events
						asks = append(asks, meters.QuantityAsk{Meter: m, Customer: fmt.Sprintf("c%d", c), Filters: f, Window: w.w})
						named = append(named, w.name)
					}
				}
			}
		}
		got, err := svc.Quantities(ctx, tenant, asks)
		if err != nil {
			t.Fatal(err)
		}
		for i, a := range asks {
			want, err := svc.Quantity(ctx, tenant, a.Meter, a.Customer, a.Filters, a.Window)
			if err != nil {
				t.Fatal(err)
			}
			if !got[i].Equal(want) {
				t.Fatalf("%s, %s, customer %s, filters %v: Quantities %s, Quantity %s", named[i], a.Meter.Aggregation.Type, a.Customer, a.Filters, got[i], want)
			}
		}
	})
}

// createMeters creates a meter m_<type> of "llm" events for each type,
// reading the field tokens (but for count).
func createMeters(t *testing.T, svc *meters.Service, tenant string, types ...meters.AggregationType) []meters.Meter {
	t.Helper()
	var ms []meters.Meter
	for _, typ := range types {
		in := meters.CreateInput{Key: "m_" + string(typ), EventName: "llm", Aggregation: meters.Aggregation{Type: typ, Field: "tokens"}}
		if typ == meters.Count {
			in.Aggregation.Field = ""
		}
		m, err := svc.Create(context.Background(), tenant, in)
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
	}
	return ms
}
