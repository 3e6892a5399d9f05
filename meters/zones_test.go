package meters_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
)

type gbAt struct {
	at string // UTC
	gb int
}

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func sendGB(t *testing.T, svc *meters.Service, tenant, customer string, events []gbAt) {
	t.Helper()
	for i, e := range events {
		ts := at(e.at)
		in := meters.EventInput{ID: fmt.Sprintf("%s-%d", customer, i), EventName: "disk", Customer: customer, Timestamp: &ts,
			Properties: json.RawMessage(fmt.Sprintf(`{"gb": %d}`, e.gb))}
		if res, err := svc.Ingest(context.Background(), tenant, []meters.EventInput{in}); err != nil || len(res.Rejected) > 0 {
			t.Fatalf("ingest: %v %v", err, res.Rejected)
		}
	}
}

// TestUnitDaysCountsTheCustomersLocalDays bills unit_days over months whose
// days are not all 24 hours long, for customers in four zones. Each amount
// is worked by hand below; each differs from what UTC days would give.
func TestUnitDaysCountsTheCustomersLocalDays(t *testing.T) {
	cases := []struct {
		name          string
		zone          string
		start, end    string // the period, UTC instants of local midnights
		until         string // a proposed invoice's instant, or ""
		events        []gbAt
		want          int64
		wantInUTCDays int64 // what UTC days would give, to show the zone matters
	}{
		{
			// Period: March 2026 in Berlin, [Feb 28 23:00Z, Mar 31 22:00Z);
			// Mar 29 is 23 hours (01:00Z jumps 02:00 CET to 03:00 CEST).
			// Mar 1: no event, carries 10 from Feb 27          10
			// Mar 2 00:30 local (Mar 1 23:30Z): 20; Mar 2–28:  27 × 20 = 540
			// Mar 29: 50 at 01:30 CET, 40 at 23:30 CEST: max   50
			// Mar 30–31 carry the day's last value, 40:         2 × 40 = 80
			// Total 680. (UTC days: 10+20+540+50+40+40 = 700.)
			name: "Berlin in the month clocks go forward", zone: "Europe/Berlin",
			start: "2026-02-28T23:00:00Z", end: "2026-03-31T22:00:00Z",
			events: []gbAt{{"2026-02-27T12:00:00Z", 10}, {"2026-03-01T23:30:00Z", 20}, {"2026-03-29T00:30:00Z", 50}, {"2026-03-29T21:30:00Z", 40}},
			want:   680, wantInUTCDays: 700,
		},
		{
			// The same history proposed at Mar 29 01:30Z (03:30 CEST): Mar 1–29
			// have begun: 10 + 540 + 50 (40 comes later) = 600.
			name: "Berlin proposed on the short day counts the days begun", zone: "Europe/Berlin",
			start: "2026-02-28T23:00:00Z", end: "2026-03-31T22:00:00Z", until: "2026-03-29T01:30:00Z",
			events: []gbAt{{"2026-02-27T12:00:00Z", 10}, {"2026-03-01T23:30:00Z", 20}, {"2026-03-29T00:30:00Z", 50}, {"2026-03-29T21:30:00Z", 40}},
			// (UTC days: Feb 28 10, Mar 1 20, Mar 2–28 540, Mar 29 50 = 620.)
			want: 600, wantInUTCDays: 620,
		},
		{
			// November 2026 in New York, [Nov 1 04:00Z, Dec 1 05:00Z); Nov 1
			// is 25 hours (EDT falls back to EST at 06:00Z).
			// Nov 1: 5 at 23:30 EST (Nov 2 04:30Z)               5
			// Nov 2: 9 at 09:00 EST, 7 at 22:00 EST: max        9
			// Nov 3–30 carry 7:                                 28 × 7 = 196
			// Total 210. (UTC days: 0+9+7×28+7 = 212.)
			name: "New York in the month clocks go back", zone: "America/New_York",
			start: "2026-11-01T04:00:00Z", end: "2026-12-01T05:00:00Z",
			events: []gbAt{{"2026-11-02T04:30:00Z", 5}, {"2026-11-02T14:00:00Z", 9}, {"2026-11-03T03:00:00Z", 7}},
			want:   210, wantInUTCDays: 212,
		},
		{
			// Proposed at Nov 3 00:30 EST (05:30Z): Nov 1, 2 and 3 have begun:
			// 5 + 9 + 7 = 21. (UTC days: Nov 1 0, Nov 2 9, Nov 3 7 = 16.)
			name: "New York proposed just after a local midnight counts that day", zone: "America/New_York",
			start: "2026-11-01T04:00:00Z", end: "2026-12-01T05:00:00Z", until: "2026-11-03T05:30:00Z",
			events: []gbAt{{"2026-11-02T04:30:00Z", 5}, {"2026-11-02T14:00:00Z", 9}, {"2026-11-03T03:00:00Z", 7}},
			want:   21, wantInUTCDays: 16,
		},
		{
			// September 2026 in Santiago, [Sep 1 04:00Z, Oct 1 03:00Z); Sep 6
			// has no midnight (00:00 -04 jumps to 01:00 -03): it begins at 04:00Z.
			// Sep 1–5 carry 3 from Aug 20:                      5 × 3 = 15
			// Sep 6: 6 at 01:30 local (04:30Z)                  6
			// Sep 7–30 carry 6:                                 24 × 6 = 144
			// Total 165. (UTC days: 15 + 6 + 144 + 6 on the part of Oct 1 = 171.)
			name: "Santiago in the month midnight is skipped", zone: "America/Santiago",
			start: "2026-09-01T04:00:00Z", end: "2026-10-01T03:00:00Z",
			events: []gbAt{{"2026-08-20T12:00:00Z", 3}, {"2026-09-06T04:30:00Z", 6}},
			want:   165, wantInUTCDays: 171,
		},
		{
			// Proposed at exactly 04:00Z on Sep 6, the instant Sep 6 begins: it
			// has not begun by then (half-open): Sep 1–5, 5 × 3 = 15.
			name: "Santiago proposed at the start of the skipped-midnight day leaves it out", zone: "America/Santiago",
			start: "2026-09-01T04:00:00Z", end: "2026-10-01T03:00:00Z", until: "2026-09-06T04:00:00Z",
			events: []gbAt{{"2026-08-20T12:00:00Z", 3}, {"2026-09-06T04:30:00Z", 6}},
			want:   15, wantInUTCDays: 18, // UTC: Sep 1–5 and the begun Sep 6: 6 × 3
		},
		{
			// One second later Sep 6 has begun; its 6 comes later, so it
			// carries 3: 15 + 3 = 18.
			name: "Santiago proposed a second into the skipped-midnight day carries into it", zone: "America/Santiago",
			start: "2026-09-01T04:00:00Z", end: "2026-10-01T03:00:00Z", until: "2026-09-06T04:00:01Z",
			events: []gbAt{{"2026-08-20T12:00:00Z", 3}, {"2026-09-06T04:30:00Z", 6}},
			want:   18, wantInUTCDays: 18,
		},
		{
			// October 2026 on Lord Howe Island, [Sep 30 13:30Z, Oct 31 13:00Z);
			// Oct 4 is 23.5 hours (02:00 +10:30 jumps to 02:30 +11).
			// Oct 1: 2 at 00:10 local (Sep 30 13:40Z); Oct 1–3:  3 × 2 = 6
			// Oct 4: 8 at 23:45 +11 (12:45Z)                    8
			// Oct 5–31 carry 8:                                 27 × 8 = 216
			// Total 230. (UTC days: 2+6+8+26×8+8 = 232.)
			name: "Lord Howe in the month clocks go forward half an hour", zone: "Australia/Lord_Howe",
			start: "2026-09-30T13:30:00Z", end: "2026-10-31T13:00:00Z",
			events: []gbAt{{"2026-09-30T13:40:00Z", 2}, {"2026-10-04T12:45:00Z", 8}},
			want:   230, wantInUTCDays: 232,
		},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		tenant := newTenant(t, db)
		svc := meters.NewService(db, domain.NewFixedClock(at("2027-01-01T00:00:00Z")), nil)
		m, err := svc.Create(ctx, tenant, meters.CreateInput{Key: "storage", EventName: "disk", Aggregation: meters.Aggregation{Type: meters.UnitDays, Field: "gb"}})
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				customer := fmt.Sprintf("c%d", i)
				sendGB(t, svc, tenant, customer, c.events)
				w := meters.Window{Period: domain.Period{Start: at(c.start), End: at(c.end)}, Location: zone(t, c.zone)}
				if c.until != "" {
					w.Until = at(c.until)
				}
				got, err := svc.Quantity(ctx, tenant, m, customer, nil, w)
				if err != nil {
					t.Fatal(err)
				}
				if !got.Equal(decimal.NewFromInt(c.want)) {
					t.Errorf("unit_days = %s, want %d", got, c.want)
				}
				w.Location = nil
				if got, _ := svc.Quantity(ctx, tenant, m, customer, nil, w); !got.Equal(decimal.NewFromInt(c.wantInUTCDays)) {
					t.Errorf("in UTC days unit_days = %s, want %d", got, c.wantInUTCDays)
				}
			})
		}
	})
}

// TestDailySeriesBucketsAreTheCustomersLocalDays asks for daily usage
// series across the same zone changes: each bucket is one local day, as long
// as that day really is, From moves back to its day's start and the last
// day is whole. unit_days values are worked as above; counts are the events
// of each local day.
func TestDailySeriesBucketsAreTheCustomersLocalDays(t *testing.T) {
	cases := []struct {
		name     string
		zone     string
		from, to string
		events   []gbAt
		bounds   []string // bucket starts, then the last bucket's end (UTC)
		unitDays []int64
		counts   []int64
	}{
		{
			// Mar 29 runs 23:00Z to 22:00Z: 23 hours.
			name: "Berlin's short day is a 23-hour bucket", zone: "Europe/Berlin",
			from: "2026-03-27T23:00:00Z", to: "2026-03-30T22:00:00Z",
			events: []gbAt{{"2026-03-01T23:30:00Z", 20}, {"2026-03-29T00:30:00Z", 50}, {"2026-03-29T21:30:00Z", 40}},
			bounds: []string{"2026-03-27T23:00:00Z", "2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z", "2026-03-30T22:00:00Z"},
			// Mar 28 carries 20; Mar 29 max 50; Mar 30 carries the last, 40.
			unitDays: []int64{20, 50, 40}, counts: []int64{0, 2, 0},
		},
		{
			// Nov 1 runs 04:00Z to 05:00Z the next day: 25 hours, holding the
			// event at 23:30 EST.
			name: "New York's long day is a 25-hour bucket", zone: "America/New_York",
			from: "2026-11-01T04:00:00Z", to: "2026-11-03T05:00:00Z",
			events: []gbAt{{"2026-11-02T04:30:00Z", 5}, {"2026-11-02T14:00:00Z", 9}, {"2026-11-03T03:00:00Z", 7}},
			bounds: []string{"2026-11-01T04:00:00Z", "2026-11-02T05:00:00Z", "2026-11-03T05:00:00Z"},
			// Nov 1: 5; Nov 2: max(9, 7).
			unitDays: []int64{5, 9}, counts: []int64{1, 2},
		},
		{
			// Nine days, Sep 1–9; Sep 6 begins at 04:00Z (01:00 -03, midnight
			// skipped) and runs 23 hours.
			name: "a nine-day Santiago series over the skipped midnight has nine buckets", zone: "America/Santiago",
			from: "2026-09-01T04:00:00Z", to: "2026-09-10T03:00:00Z",
			events: []gbAt{{"2026-08-20T12:00:00Z", 3}, {"2026-09-06T04:30:00Z", 6}},
			bounds: []string{"2026-09-01T04:00:00Z", "2026-09-02T04:00:00Z", "2026-09-03T04:00:00Z", "2026-09-04T04:00:00Z",
				"2026-09-05T04:00:00Z", "2026-09-06T04:00:00Z", "2026-09-07T03:00:00Z", "2026-09-08T03:00:00Z", "2026-09-09T03:00:00Z",
				"2026-09-10T03:00:00Z"},
			// Sep 1–5 carry 3 from Aug 20; Sep 6 has 6; Sep 7–9 carry it.
			unitDays: []int64{3, 3, 3, 3, 3, 6, 6, 6, 6}, counts: []int64{0, 0, 0, 0, 0, 1, 0, 0, 0},
		},
		{
			// From (Oct 3 15:30 local) moves back to Oct 3 00:00 (Oct 2
			// 13:30Z); Oct 4 is 23.5 hours; To falls in Oct 6, which is whole.
			name: "Lord Howe's half-hour change makes a 23.5-hour bucket", zone: "Australia/Lord_Howe",
			from: "2026-10-03T05:00:00Z", to: "2026-10-05T15:00:00Z",
			events: []gbAt{{"2026-09-30T13:40:00Z", 2}, {"2026-10-04T12:45:00Z", 8}},
			bounds: []string{"2026-10-02T13:30:00Z", "2026-10-03T13:30:00Z", "2026-10-04T13:00:00Z", "2026-10-05T13:00:00Z", "2026-10-06T13:00:00Z"},
			// Oct 3 carries 2; Oct 4 has 8; Oct 5 and 6 carry it.
			unitDays: []int64{2, 8, 8, 8}, counts: []int64{0, 1, 0, 0},
		},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		tenant := newTenant(t, db)
		svc := meters.NewService(db, domain.NewFixedClock(at("2027-01-01T00:00:00Z")), nil)
		days, err := svc.Create(ctx, tenant, meters.CreateInput{Key: "storage", EventName: "disk", Aggregation: meters.Aggregation{Type: meters.UnitDays, Field: "gb"}})
		if err != nil {
			t.Fatal(err)
		}
		count, err := svc.Create(ctx, tenant, meters.CreateInput{Key: "writes", EventName: "disk", Aggregation: meters.Aggregation{Type: meters.Count}})
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				customer := fmt.Sprintf("s%d", i)
				sendGB(t, svc, tenant, customer, c.events)
				for _, want := range []struct {
					m      meters.Meter
					values []int64
				}{{days, c.unitDays}, {count, c.counts}} {
					pts, err := svc.Series(ctx, tenant, meters.SeriesQuery{Meter: want.m, Customer: customer, From: at(c.from), To: at(c.to),
						Granularity: meters.Day, Location: zone(t, c.zone)})
					if err != nil {
						t.Fatal(err)
					}
					if len(pts) != len(want.values) {
						t.Fatalf("%s: %d buckets, want %d: %v", want.m.Key, len(pts), len(want.values), pts)
					}
					for b, p := range pts {
						if !p.Start.Equal(at(c.bounds[b])) || !p.End.Equal(at(c.bounds[b+1])) {
							t.Errorf("%s bucket %d is [%s, %s), want [%s, %s)", want.m.Key, b, p.Start.Format(time.RFC3339), p.End.Format(time.RFC3339), c.bounds[b], c.bounds[b+1])
						}
						if !p.Value.Equal(decimal.NewFromInt(want.values[b])) {
							t.Errorf("%s bucket %d (%s) = %s, want %d", want.m.Key, b, c.bounds[b], p.Value, want.values[b])
						}
					}
				}
			})
		}
	})
}
