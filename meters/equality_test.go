package meters_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
)

// equalityEvents are one customer's events at 10:30:30 UTC, their "v"
// written as raw JSON so that each spelling reaches the store as sent.
var equalityEvents = []string{
	`1e2`, `100`, `100.0`, `"100"`, `-0`, `0`, `1.50`, `1.5`,
	`"caf\u00e9"`, `"café"`, `true`, `"true"`, `"1"`, `1`,
}

// quantityPaths are windows around 10:30:30 that Quantity serves from hourly
// rollups, from minute rollups, and from raw events (partial minutes).
var quantityPaths = []struct {
	name string
	w    meters.Window
}{
	{"hourly rollups", meters.Window{Period: domain.Period{Start: at("2026-05-04T10:00:00Z"), End: at("2026-05-04T11:00:00Z")}}},
	{"minute rollups", meters.Window{Period: domain.Period{Start: at("2026-05-04T10:29:00Z"), End: at("2026-05-04T10:31:00Z")}}},
	{"raw events", meters.Window{Period: domain.Period{Start: at("2026-05-04T10:30:10Z"), End: at("2026-05-04T10:30:50Z")}}},
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func ingestRaw(t *testing.T, svc *meters.Service, tenant, customer, name string, ts time.Time, props []string) {
	t.Helper()
	var batch []meters.EventInput
	for i, v := range props {
		batch = append(batch, meters.EventInput{ID: fmt.Sprintf("%s-%d", customer, i), EventName: name, Customer: customer,
			Timestamp: &ts, Properties: json.RawMessage(`{"v": ` + v + `}`)})
	}
	res, err := svc.Ingest(context.Background(), tenant, batch)
	if err != nil || len(res.Rejected) > 0 {
		t.Fatalf("ingest: %v %v", err, res.Rejected)
	}
}

func filtersOf(t *testing.T, raw string) meters.Filters {
	t.Helper()
	var f meters.Filters
	if err := json.Unmarshal([]byte(raw), &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestPriceFiltersCountEqualValuesOnEveryStoreAndPath counts the events
// above through price filters: a series made before the events (rollups
// kept at ingestion, from the JSON as sent) and one made after (backfilled
// from what the store kept, which Postgres's jsonb rewrote) must both agree
// with the raw events on every path.
func TestPriceFiltersCountEqualValuesOnEveryStoreAndPath(t *testing.T) {
	cases := []struct {
		name    string
		filters string
		want    int64
	}{
		{"a number matches every spelling of its value", `{"v": [100]}`, 3},           // 1e2, 100, 100.0
		{"a number written as an exponent is the same filter", `{"v": [1e2]}`, 3},     // 1e2, 100, 100.0
		{"a string of digits matches only that string", `{"v": ["100"]}`, 1},          // "100"
		{"zero matches minus zero", `{"v": [0]}`, 2},                                  // -0, 0
		{"a fraction matches it with trailing zeros", `{"v": [1.5]}`, 2},              // 1.50, 1.5
		{"an escaped string matches the decoded one", `{"v": ["caf\u00e9"]}`, 2},      // both cafés
		{"a boolean does not match the string true", `{"v": [true]}`, 1},              // true
		{"the string true does not match the boolean", `{"v": ["true"]}`, 1},          // "true"
		{"the string 1 does not match the number 1", `{"v": ["1"]}`, 1},               // "1"
		{"the number 1 does not match the string 1", `{"v": [1]}`, 1},                 // 1
		{"a list of both kinds matches both", `{"v": [1, "1", 1.0]}`, 2},              // "1", 1
		{"values that no event holds match nothing", `{"v": ["1e2", false, 101]}`, 0}, // none
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		tenant := newTenant(t, db)
		svc := meters.NewService(db, domain.NewFixedClock(at("2026-06-01T00:00:00Z")), nil)
		m, err := svc.Create(ctx, tenant, meters.CreateInput{Key: "calls", EventName: "call", Aggregation: meters.Aggregation{Type: meters.Count}})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			ensure(t, db, m, filtersOf(t, c.filters)) // before the events: rollups kept at ingestion
		}
		ingestRaw(t, svc, tenant, "early", "call", at("2026-05-04T10:30:30Z"), equalityEvents)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				f := filtersOf(t, c.filters)
				for _, p := range quantityPaths {
					got, err := svc.Quantity(ctx, tenant, m, "early", f, p.w)
					if err != nil {
						t.Fatal(err)
					}
					if got.IntPart() != c.want {
						t.Errorf("%s: count %s, want %d", p.name, got, c.want)
					}
				}
			})
		}
		// A series first needed after the events is backfilled from the
		// stored events (Quantity creates it).
		ingestRaw(t, svc, tenant, "late", "call", at("2026-05-04T10:30:30Z"), equalityEvents)
		m2, err := svc.Create(ctx, tenant, meters.CreateInput{Key: "calls2", EventName: "call", Aggregation: meters.Aggregation{Type: meters.Count}})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			f := filtersOf(t, c.filters)
			for _, p := range quantityPaths {
				got, err := svc.Quantity(ctx, tenant, m2, "late", f, p.w)
				if err != nil {
					t.Fatal(err)
				}
				if got.IntPart() != c.want {
					t.Errorf("%s, backfilled, %s: count %s, want %d", c.name, p.name, got, c.want)
				}
			}
		}
	})
}

// TestMeterFiltersAndUniqueCountUseValueEquality checks a meter's own
// filters (on a sum, so that the rollups carry values too) and unique_count
// on both stores.
func TestMeterFiltersAndUniqueCountUseValueEquality(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		tenant := newTenant(t, db)
		svc := meters.NewService(db, domain.NewFixedClock(at("2026-06-01T00:00:00Z")), nil)
		unique, err := svc.Create(ctx, tenant, meters.CreateInput{Key: "distinct", EventName: "call",
			Aggregation: meters.Aggregation{Type: meters.UniqueCount, Field: "v"}})
		if err != nil {
			t.Fatal(err)
		}
		// Sums "n" over events whose "v" is the number 100 (1e2, 100, 100.0).
		hundreds, err := svc.Create(ctx, tenant, meters.CreateInput{Key: "hundreds", EventName: "call",
			Aggregation: meters.Aggregation{Type: meters.Sum, Field: "n"}, Filters: filtersOf(t, `{"v": [100]}`)})
		if err != nil {
			t.Fatal(err)
		}
		ensure(t, db, hundreds, meters.Filters{})
		ts := at("2026-05-04T10:30:30Z")
		var batch []meters.EventInput
		for i, v := range equalityEvents {
			batch = append(batch, meters.EventInput{ID: fmt.Sprintf("e%d", i), EventName: "call", Customer: "acme",
				Timestamp: &ts, Properties: json.RawMessage(fmt.Sprintf(`{"v": %s, "n": %d}`, v, i+1))})
		}
		if _, err := svc.Ingest(ctx, tenant, batch); err != nil {
			t.Fatal(err)
		}
		stored, err := svc.Get(ctx, tenant, hundreds.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range quantityPaths {
			// unique_count: 100 (1e2, 100, 100.0), "100", 0 (-0, 0), 1.5 (1.50,
			// 1.5), "café" (twice), true, "true", "1" and 1: 9 values.
			got, err := svc.Quantity(ctx, tenant, unique, "acme", nil, p.w)
			if err != nil {
				t.Fatal(err)
			}
			if got.IntPart() != 9 {
				t.Errorf("%s: unique_count %s, want 9", p.name, got)
			}
			// The events of 1e2, 100 and 100.0 carry n = 1, 2, 3: 6.
			got, err = svc.Quantity(ctx, tenant, stored, "acme", nil, p.w)
			if err != nil {
				t.Fatal(err)
			}
			if got.IntPart() != 6 {
				t.Errorf("%s: sum under the meter's filter %s, want 6", p.name, got)
			}
		}
	})
}
