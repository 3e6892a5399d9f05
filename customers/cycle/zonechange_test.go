package cycle_test

import (
	"testing"
	"time"

	"github.com/tallyhq/tally/calendar"
	"github.com/tallyhq/tally/customers/cycle"
)

func TestZoneChanges(t *testing.T) {
	type change struct {
		at, zone string
	}
	tests := []struct {
		name     string
		interval calendar.Interval
		kind     cycle.Kind
		zone     string
		start    string
		changes  []change
		// want: consecutive boundaries from the start
		want []string
	}{
		{"a UTC customer moved to Tokyo in November keeps November and ends December at Tokyo's Jan 1",
			calendar.Month, cycle.Calendar, "UTC", "2026-10-01T00:00:00Z", []change{{"2026-11-05T12:00:00Z", "Asia/Tokyo"}},
			[]string{"2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z", "2026-12-31T15:00:00Z", "2027-01-31T15:00:00Z"}},
		{"a Tokyo customer moved to UTC runs its next period a few hours longer",
			calendar.Month, cycle.Calendar, "Asia/Tokyo", "2026-09-30T15:00:00Z", []change{{"2026-10-10T00:00:00Z", "UTC"}},
			[]string{"2026-09-30T15:00:00Z", "2026-10-31T15:00:00Z", "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z"}},
		{"a change before the start applies to every period",
			calendar.Month, cycle.Calendar, "UTC", "2026-10-01T00:00:00Z", []change{{"2026-09-01T00:00:00Z", "America/New_York"}},
			[]string{"2026-10-01T00:00:00Z", "2026-10-01T04:00:00Z", "2026-11-01T04:00:00Z", "2026-12-01T05:00:00Z"}},
		{"two changes in one period: the second wins from the next period on",
			calendar.Month, cycle.Calendar, "UTC", "2026-10-01T00:00:00Z", []change{{"2026-10-05T00:00:00Z", "Asia/Tokyo"}, {"2026-10-06T00:00:00Z", "Europe/Berlin"}},
			[]string{"2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z", "2026-11-30T23:00:00Z", "2026-12-31T23:00:00Z"}},
		{"a daily cycle moved 26 hours east collapses the boundary that would go back in time",
			calendar.Day, cycle.Calendar, "Etc/GMT+12", "2026-10-01T12:00:00Z", []change{{"2026-10-01T13:00:00Z", "Pacific/Kiritimati"}},
			// Oct 2 00:00 at -12 is Oct 2 12:00Z; Oct 3 00:00 at +14 is Oct 2 10:00Z (before it, skipped);
			// Oct 4 00:00 at +14 is Oct 3 10:00Z.
			[]string{"2026-10-01T12:00:00Z", "2026-10-02T12:00:00Z", "2026-10-03T10:00:00Z", "2026-10-04T10:00:00Z"}},
		{"an anniversary month moved from New York to Berlin keeps its anchor day",
			calendar.Month, cycle.Anniversary, "America/New_York", "2026-01-15T05:00:00Z", []change{{"2026-02-01T00:00:00Z", "Europe/Berlin"}},
			[]string{"2026-01-15T05:00:00Z", "2026-02-15T05:00:00Z", "2026-03-14T23:00:00Z", "2026-04-14T22:00:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cycle.Cycle{Interval: tt.interval, Kind: tt.kind, Start: at(t, tt.start), Location: zone(t, tt.zone)}
			for _, ch := range tt.changes {
				c.ZoneChanges = append(c.ZoneChanges, cycle.ZoneChange{At: at(t, ch.at), Location: zone(t, ch.zone)})
			}
			p := c.First()
			got := []time.Time{p.Start}
			for len(got) < len(tt.want) {
				got = append(got, p.End)
				p = c.Next(p)
			}
			for i, w := range tt.want {
				if !got[i].Equal(at(t, w)) {
					t.Errorf("boundary %d = %s, want %s (all: %v)", i, got[i].Format(time.RFC3339), w, got)
				}
			}
			// Every instant lies in exactly one period: PeriodAt agrees with the walk.
			for i := 0; i+1 < len(got); i++ {
				mid := got[i].Add(got[i+1].Sub(got[i]) / 2)
				if q, ok := c.PeriodAt(mid); !ok || !q.Start.Equal(got[i]) || !q.End.Equal(got[i+1]) {
					t.Errorf("PeriodAt(%s) = %v, want [%s, %s)", mid, q, got[i], got[i+1])
				}
			}
		})
	}
}

func TestLocationAtFollowsThePeriodsEndBoundary(t *testing.T) {
	tokyo := zone(t, "Asia/Tokyo")
	c := cycle.Cycle{Interval: calendar.Month, Start: at(t, "2026-10-01T00:00:00Z"), Location: time.UTC,
		ZoneChanges: []cycle.ZoneChange{{At: at(t, "2026-11-05T00:00:00Z"), Location: tokyo}}}
	if got := c.LocationAt(at(t, "2026-11-20T00:00:00Z")); got != time.UTC {
		t.Errorf("November (begun before the change) counts days in %v, want UTC", got)
	}
	if got := c.LocationAt(at(t, "2026-12-10T00:00:00Z")); got != tokyo {
		t.Errorf("the period after the change counts days in %v, want Asia/Tokyo", got)
	}
}
