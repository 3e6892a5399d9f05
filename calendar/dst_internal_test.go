package calendar

import (
	"testing"
	"time"
	_ "time/tzdata"
)

func TestDayStartAtAwkwardMidnights(t *testing.T) {
	tests := []struct {
		name string
		zone string
		day  Date
		want string
	}{
		{"a Santiago day whose midnight is skipped begins at the transition, 01:00 local",
			"America/Santiago", Date{2026, time.September, 6}, "2026-09-06T04:00:00Z"},
		{"a Santiago day after clocks fall back across midnight begins at the only 00:00",
			"America/Santiago", Date{2026, time.April, 5}, "2026-04-05T04:00:00Z"},
		{"a Havana day whose midnight happens twice begins at the first one",
			"America/Havana", Date{2025, time.November, 2}, "2025-11-02T04:00:00Z"},
		{"a Havana day whose midnight is skipped begins at the transition",
			"America/Havana", Date{2025, time.March, 9}, "2025-03-09T05:00:00Z"},
		{"a Beirut day after clocks fall back across midnight begins at the only 00:00",
			"Asia/Beirut", Date{2025, time.October, 26}, "2025-10-25T22:00:00Z"},
		{"a Beirut day whose midnight is skipped begins at the transition",
			"Asia/Beirut", Date{2025, time.March, 30}, "2025-03-29T22:00:00Z"},
		{"the date Samoa skipped begins with the next day",
			"Pacific/Apia", Date{2011, time.December, 30}, "2011-12-30T10:00:00Z"},
		{"a plain New York day begins at local midnight",
			"America/New_York", Date{2026, time.March, 8}, "2026-03-08T05:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc, err := time.LoadLocation(tt.zone)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := time.Parse(time.RFC3339, tt.want)
			got := DayStart(tt.day, loc)
			if !got.Equal(want) {
				t.Errorf("dayStart = %s (%s), want %s", got.Format(time.RFC3339), got.In(loc), tt.want)
			}
			if before := got.Add(-time.Nanosecond).In(loc); !DateOf(before, loc).Before(tt.day) {
				t.Errorf("the instant before %s is already on %v locally (%s)", got, tt.day, before)
			}
		})
	}
}
