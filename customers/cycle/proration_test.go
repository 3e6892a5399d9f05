package cycle_test

import (
	"testing"
	"time"

	"github.com/tallyhq/tally/calendar"

	"github.com/tallyhq/tally/customers/cycle"
	"github.com/tallyhq/tally/domain"
)

func TestDays(t *testing.T) {
	tests := []struct {
		name string
		p    domain.Period
		zone string
		want int
	}{
		{"March 12 09:30 to April 1 touches 20 days", period(t, "2026-03-12T09:30:00Z", "2026-04-01T00:00:00Z"), "UTC", 20},
		{"a period ending one second into April 1 touches April 1 too", period(t, "2026-03-12T09:30:00Z", "2026-04-01T00:00:01Z"), "UTC", 21},
		{"two seconds across midnight touch two days", period(t, "2026-03-12T23:59:59Z", "2026-03-13T00:00:01Z"), "UTC", 2},
		{"one second touches one day", period(t, "2026-03-12T10:00:00Z", "2026-03-12T10:00:01Z"), "UTC", 1},
		{"an empty period touches no day", period(t, "2026-03-12T10:00:00Z", "2026-03-12T10:00:00Z"), "UTC", 0},
		{"an unbounded period has no day count", domain.Period{Start: at(t, "2026-03-12T10:00:00Z")}, "UTC", 0},
		{"days are counted in the customer's zone, not in UTC", period(t, "2026-03-16T03:30:00Z", "2026-04-01T04:00:00Z"), "America/New_York", 17},
		{"a whole New York March is 31 days although it is 743 hours", period(t, "2026-03-01T05:00:00Z", "2026-04-01T04:00:00Z"), "America/New_York", 31},
		{"a leap February is 29 days", period(t, "2028-02-01T00:00:00Z", "2028-03-01T00:00:00Z"), "UTC", 29},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := calendar.Days(tt.p, zone(t, tt.zone)); got != tt.want {
				t.Errorf("Days(%v) = %d, want %d", tt.p, got, tt.want)
			}
		})
	}
}

func TestDayPeriods(t *testing.T) {
	berlin := zone(t, "Europe/Berlin")
	days := calendar.DayPeriods(period(t, "2026-03-28T12:00:00Z", "2026-03-30T12:00:00Z"), berlin)
	want := []domain.Period{
		period(t, "2026-03-28T12:00:00Z", "2026-03-28T23:00:00Z"),
		period(t, "2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z"), // 23 hours: daylight saving begins
		period(t, "2026-03-29T22:00:00Z", "2026-03-30T12:00:00Z"),
	}
	if len(days) != len(want) {
		t.Fatalf("DayPeriods = %v, want %v", days, want)
	}
	for i := range want {
		wantPeriod(t, "day", days[i], want[i])
	}
	if got := calendar.DayPeriods(domain.Period{}, berlin); got != nil {
		t.Errorf("DayPeriods of an empty period = %v, want none", got)
	}
}

func TestProrationOfTheFirstPeriod(t *testing.T) {
	tests := []struct {
		name     string
		interval calendar.Interval
		kind     cycle.Kind
		zone     string
		start    string
		want     cycle.Proration
	}{
		{"a calendar month started March 12 at 09:30 is prorated 20/31",
			calendar.Month, cycle.Calendar, "UTC", "2026-03-12T09:30:00Z", cycle.Proration{Days: 20, OfDays: 31}},
		{"a subscription started on February 4 in a 29-day February is prorated 26/29",
			calendar.Month, cycle.Calendar, "UTC", "2028-02-04T15:00:00Z", cycle.Proration{Days: 26, OfDays: 29}},
		{"a start on the last day of the month is one day",
			calendar.Month, cycle.Calendar, "UTC", "2026-04-30T23:59:00Z", cycle.Proration{Days: 1, OfDays: 30}},
		{"a start on a boundary is a full period",
			calendar.Month, cycle.Calendar, "UTC", "2026-04-01T00:00:00Z", cycle.Proration{Days: 30, OfDays: 30}},
		{"a New York start late on March 15 counts March 15, although it is March 16 in UTC",
			calendar.Month, cycle.Calendar, "America/New_York", "2026-03-16T03:30:00Z", cycle.Proration{Days: 17, OfDays: 31}},
		{"a calendar week started on a Wednesday is prorated 5/7",
			calendar.Week, cycle.Calendar, "UTC", "2026-03-11T10:00:00Z", cycle.Proration{Days: 5, OfDays: 7}},
		{"a calendar quarter started on May 20 is prorated 42/91",
			calendar.Quarter, cycle.Calendar, "UTC", "2026-05-20T12:00:00Z", cycle.Proration{Days: 42, OfDays: 91}},
		{"a calendar year started on December 31 is prorated 1/365",
			calendar.Year, cycle.Calendar, "UTC", "2026-12-31T12:00:00Z", cycle.Proration{Days: 1, OfDays: 365}},
		{"an anniversary month started mid-day is a full period",
			calendar.Month, cycle.Anniversary, "UTC", "2026-01-31T15:00:00Z", cycle.Proration{Days: 28, OfDays: 28}},
		{"a calendar day started mid-day is a full day",
			calendar.Day, cycle.Calendar, "UTC", "2026-01-31T15:00:00Z", cycle.Proration{Days: 1, OfDays: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := zone(t, tt.zone)
			c := cycle.Cycle{Interval: tt.interval, Kind: tt.kind, Start: at(t, tt.start), Location: loc}
			first := c.First()
			got := cycle.ProrationFor(first, c.FullPeriodAround(first), loc)
			if got != tt.want {
				t.Errorf("proration = %v, want %v", got, tt.want)
			}
			if got.Full() != (tt.want.Days == tt.want.OfDays) {
				t.Errorf("Full() = %v for %v", got.Full(), got)
			}
		})
	}
}

func TestProrationFor(t *testing.T) {
	march := period(t, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z")
	tests := []struct {
		name   string
		active domain.Period
		want   cycle.Proration
	}{
		{"an active period reaching past the full period counts only the full period's days",
			period(t, "2026-02-20T00:00:00Z", "2026-04-10T00:00:00Z"), cycle.Proration{Days: 31, OfDays: 31}},
		{"an active period outside the full period counts nothing",
			period(t, "2026-04-02T00:00:00Z", "2026-04-10T00:00:00Z"), cycle.Proration{Days: 0, OfDays: 31}},
		{"an empty active period counts nothing",
			period(t, "2026-03-10T00:00:00Z", "2026-03-10T00:00:00Z"), cycle.Proration{Days: 0, OfDays: 31}},
		{"an open-ended active period counts to the end of the full period",
			domain.Period{Start: at(t, "2026-03-30T08:00:00Z")}, cycle.Proration{Days: 2, OfDays: 31}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cycle.ProrationFor(tt.active, march, time.UTC); got != tt.want {
				t.Errorf("ProrationFor = %v, want %v", got, tt.want)
			}
		})
	}
	if s := (cycle.Proration{Days: 20, OfDays: 31}).String(); s != "20/31" {
		t.Errorf("String() = %q, want 20/31", s)
	}
}

func TestSplitAtCancelAndChange(t *testing.T) {
	april := period(t, "2026-04-01T00:00:00Z", "2026-05-01T00:00:00Z")
	firstMarch := period(t, "2026-03-12T09:30:00Z", "2026-04-01T00:00:00Z")
	march := period(t, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z")
	nyApril := period(t, "2026-04-01T04:00:00Z", "2026-05-01T04:00:00Z")
	tests := []struct {
		name         string
		split        func(p, full domain.Period, at time.Time, loc *time.Location) cycle.Split
		p, full      domain.Period
		at           string
		zone         string
		used, unused int
		of           int
	}{
		{"a cancellation on April 15 counts April 15 as used", cycle.SplitAtCancel, april, april, "2026-04-15T10:00:00Z", "UTC", 15, 15, 30},
		{"a cancellation at 00:00 on April 15 still counts April 15 as used", cycle.SplitAtCancel, april, april, "2026-04-15T00:00:00Z", "UTC", 15, 15, 30},
		{"a cancellation on the last day of April credits nothing", cycle.SplitAtCancel, april, april, "2026-04-30T18:00:00Z", "UTC", 30, 0, 30},
		{"a cancellation at the very start of April counts April 1 as used", cycle.SplitAtCancel, april, april, "2026-04-01T00:00:00Z", "UTC", 1, 29, 30},
		{"a cancellation before a period paid in advance credits all of it", cycle.SplitAtCancel, april, april, "2026-03-20T00:00:00Z", "UTC", 0, 30, 30},
		{"a cancellation after the period credits nothing", cycle.SplitAtCancel, april, april, "2026-05-03T00:00:00Z", "UTC", 30, 0, 30},
		{"a cancellation inside a prorated first period splits its 20 days against March's 31", cycle.SplitAtCancel, firstMarch, march, "2026-03-20T12:00:00Z", "UTC", 9, 11, 31},
		{"a cancellation on the start day of a prorated first period uses that day", cycle.SplitAtCancel, firstMarch, march, "2026-03-12T10:00:00Z", "UTC", 1, 19, 31},
		{"a New York cancellation late on April 14 local time counts up to April 14", cycle.SplitAtCancel, nyApril, nyApril, "2026-04-15T03:00:00Z", "America/New_York", 14, 16, 30},
		{"a change of plan on April 15 gives April 15 to the new plan", cycle.SplitAtChange, april, april, "2026-04-15T10:00:00Z", "UTC", 14, 16, 30},
		{"a change of plan on the first day of the period credits the whole period", cycle.SplitAtChange, april, april, "2026-04-01T10:00:00Z", "UTC", 0, 30, 30},
		{"a change of plan on the start day of a prorated first period credits all of it", cycle.SplitAtChange, firstMarch, march, "2026-03-12T10:00:00Z", "UTC", 0, 20, 31},
		{"a change of plan on the last day credits one day", cycle.SplitAtChange, april, april, "2026-04-30T23:00:00Z", "UTC", 29, 1, 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.split(tt.p, tt.full, at(t, tt.at), zone(t, tt.zone))
			want := cycle.Split{Used: cycle.Proration{Days: tt.used, OfDays: tt.of}, Unused: cycle.Proration{Days: tt.unused, OfDays: tt.of}}
			if got != want {
				t.Errorf("split = used %v unused %v, want used %v unused %v", got.Used, got.Unused, want.Used, want.Unused)
			}
		})
	}
}

func TestTheNewPlanChargesTheDayOfTheChange(t *testing.T) {
	c := cycle.Cycle{Interval: calendar.Month, Start: at(t, "2026-01-01T00:00:00Z")}
	change := at(t, "2026-04-15T10:00:00Z")
	rest := c.Next(domain.Period{End: change})
	wantPeriod(t, "new plan's period", rest, period(t, "2026-04-15T10:00:00Z", "2026-05-01T00:00:00Z"))
	old := cycle.SplitAtChange(period(t, "2026-04-01T00:00:00Z", "2026-05-01T00:00:00Z"), c.FullPeriodAround(rest), change, time.UTC)
	charged := cycle.ProrationFor(rest, c.FullPeriodAround(rest), time.UTC)
	if charged != (cycle.Proration{Days: 16, OfDays: 30}) || old.Unused != charged {
		t.Errorf("new plan charged %v, old plan credited %v; want both 16/30", charged, old.Unused)
	}
}

func TestADateTheZoneSkippedIsNotCounted(t *testing.T) {
	apia := zone(t, "Pacific/Apia")
	// Samoa went from Thursday 2011-12-29 23:59:59 straight to Saturday 2011-12-31.
	december := period(t, "2011-12-01T10:00:00Z", "2011-12-31T10:00:00Z")
	if got := calendar.Days(december, apia); got != 30 {
		t.Errorf("Samoa's December 2011 has %d days, want 30", got)
	}
	if got := len(calendar.DayPeriods(december, apia)); got != 30 {
		t.Errorf("Samoa's December 2011 splits into %d days, want 30", got)
	}
}
