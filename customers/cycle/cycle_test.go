package cycle_test

import (
	"testing"
	"time"

	"github.com/tallyhq/tally/calendar"

	"github.com/tallyhq/tally/customers/cycle"
	"github.com/tallyhq/tally/domain"
)

func TestFirstPeriod(t *testing.T) {
	tests := []struct {
		name     string
		interval calendar.Interval
		kind     cycle.Kind
		zone     string
		start    string
		want     [2]string
	}{
		{"a New York March ends at 04:00 UTC on April 1 after daylight saving begins",
			calendar.Month, "", "America/New_York", "2026-03-01T05:00:00Z", [2]string{"2026-03-01T05:00:00Z", "2026-04-01T04:00:00Z"}},
		{"a UTC start on March 12 at 09:30 ends its first month at April 1 00:00",
			calendar.Month, cycle.Calendar, "UTC", "2026-03-12T09:30:00Z", [2]string{"2026-03-12T09:30:00Z", "2026-04-01T00:00:00Z"}},
		{"a start exactly on a boundary gives a full first period",
			calendar.Month, cycle.Calendar, "UTC", "2026-04-01T00:00:00Z", [2]string{"2026-04-01T00:00:00Z", "2026-05-01T00:00:00Z"}},
		{"a start exactly on a New York boundary gives a full first period",
			calendar.Month, cycle.Calendar, "America/New_York", "2026-04-01T04:00:00Z", [2]string{"2026-04-01T04:00:00Z", "2026-05-01T04:00:00Z"}},
		{"a calendar week started on a Wednesday ends on the next Monday",
			calendar.Week, cycle.Calendar, "UTC", "2026-03-11T10:00:00Z", [2]string{"2026-03-11T10:00:00Z", "2026-03-16T00:00:00Z"}},
		{"a calendar week started on a Sunday ends the next day, a Monday",
			calendar.Week, cycle.Calendar, "UTC", "2026-03-15T23:00:00Z", [2]string{"2026-03-15T23:00:00Z", "2026-03-16T00:00:00Z"}},
		{"a calendar week started at Monday midnight is a whole ISO week",
			calendar.Week, cycle.Calendar, "UTC", "2026-03-16T00:00:00Z", [2]string{"2026-03-16T00:00:00Z", "2026-03-23T00:00:00Z"}},
		{"a calendar quarter started in May ends on July 1",
			calendar.Quarter, cycle.Calendar, "UTC", "2026-05-20T12:00:00Z", [2]string{"2026-05-20T12:00:00Z", "2026-07-01T00:00:00Z"}},
		{"a calendar quarter started in December ends on January 1",
			calendar.Quarter, cycle.Calendar, "UTC", "2026-12-31T23:59:59Z", [2]string{"2026-12-31T23:59:59Z", "2027-01-01T00:00:00Z"}},
		{"a calendar year ends on January 1",
			calendar.Year, cycle.Calendar, "UTC", "2026-06-15T08:00:00Z", [2]string{"2026-06-15T08:00:00Z", "2027-01-01T00:00:00Z"}},
		{"a Berlin calendar year ends at 23:00 UTC on December 31",
			calendar.Year, cycle.Calendar, "Europe/Berlin", "2026-06-15T08:00:00Z", [2]string{"2026-06-15T08:00:00Z", "2026-12-31T23:00:00Z"}},
		{"a calendar day ends at the next Tokyo midnight",
			calendar.Day, cycle.Calendar, "Asia/Tokyo", "2026-03-12T20:00:00Z", [2]string{"2026-03-12T20:00:00Z", "2026-03-13T15:00:00Z"}},
		{"an anniversary day ends at the next midnight like a calendar day",
			calendar.Day, cycle.Anniversary, "UTC", "2026-03-12T09:30:00Z", [2]string{"2026-03-12T09:30:00Z", "2026-03-13T00:00:00Z"}},
		{"an anniversary week renews on the start weekday",
			calendar.Week, cycle.Anniversary, "UTC", "2026-03-11T10:00:00Z", [2]string{"2026-03-11T10:00:00Z", "2026-03-18T00:00:00Z"}},
		{"an anniversary month started in a Berlin afternoon renews at Berlin midnight",
			calendar.Month, cycle.Anniversary, "Europe/Berlin", "2026-03-12T15:00:00Z", [2]string{"2026-03-12T15:00:00Z", "2026-04-11T22:00:00Z"}},
		{"an anniversary month takes its anchor day in the customer's zone, not in UTC",
			calendar.Month, cycle.Anniversary, "America/New_York", "2026-03-16T02:00:00Z", [2]string{"2026-03-16T02:00:00Z", "2026-04-15T04:00:00Z"}},
		{"an anniversary quarter from January 31 renews on April 30",
			calendar.Quarter, cycle.Anniversary, "UTC", "2026-01-31T10:00:00Z", [2]string{"2026-01-31T10:00:00Z", "2026-04-30T00:00:00Z"}},
		{"an anniversary year from February 29 renews on February 28",
			calendar.Year, cycle.Anniversary, "UTC", "2028-02-29T10:00:00Z", [2]string{"2028-02-29T10:00:00Z", "2029-02-28T00:00:00Z"}},
		{"an anniversary year renews on the start date a year later",
			calendar.Year, cycle.Anniversary, "UTC", "2026-06-15T08:00:00Z", [2]string{"2026-06-15T08:00:00Z", "2027-06-15T00:00:00Z"}},
		{"an anniversary month started at midnight is a whole month",
			calendar.Month, cycle.Anniversary, "UTC", "2026-03-12T00:00:00Z", [2]string{"2026-03-12T00:00:00Z", "2026-04-12T00:00:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cycle.Cycle{Interval: tt.interval, Kind: tt.kind, Start: at(t, tt.start), Location: zone(t, tt.zone)}
			wantPeriod(t, "First()", c.First(), period(t, tt.want[0], tt.want[1]))
		})
	}
}

func TestAnniversaryBoundariesComeBackToTheAnchorDay(t *testing.T) {
	tests := []struct {
		name     string
		interval calendar.Interval
		zone     string
		start    string
		want     []string // successive period starts after the first
	}{
		{"a monthly start on January 31 clamps to short months and comes back to the 31st",
			calendar.Month, "UTC", "2026-01-31T10:00:00Z",
			[]string{"2026-02-28T00:00:00Z", "2026-03-31T00:00:00Z", "2026-04-30T00:00:00Z", "2026-05-31T00:00:00Z", "2026-06-30T00:00:00Z", "2026-07-31T00:00:00Z"}},
		{"a monthly start on January 31 of a leap year renews on February 29",
			calendar.Month, "UTC", "2028-01-31T00:00:00Z",
			[]string{"2028-02-29T00:00:00Z", "2028-03-31T00:00:00Z"}},
		{"a monthly start on January 30 clamps only in February",
			calendar.Month, "UTC", "2026-01-30T00:00:00Z",
			[]string{"2026-02-28T00:00:00Z", "2026-03-30T00:00:00Z", "2026-04-30T00:00:00Z"}},
		{"a Berlin start on January 31 renews at Berlin midnight across daylight saving",
			calendar.Month, "Europe/Berlin", "2026-01-31T12:00:00Z",
			[]string{"2026-02-27T23:00:00Z", "2026-03-30T22:00:00Z", "2026-04-29T22:00:00Z"}},
		{"a quarterly start on November 30 clamps in February and comes back to the 30th",
			calendar.Quarter, "UTC", "2025-11-30T00:00:00Z",
			[]string{"2026-02-28T00:00:00Z", "2026-05-30T00:00:00Z", "2026-08-30T00:00:00Z", "2026-11-30T00:00:00Z"}},
		{"a yearly start on February 29 renews on February 28 and again on February 29 in a leap year",
			calendar.Year, "UTC", "2028-02-29T00:00:00Z",
			[]string{"2029-02-28T00:00:00Z", "2030-02-28T00:00:00Z", "2031-02-28T00:00:00Z", "2032-02-29T00:00:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cycle.Cycle{Interval: tt.interval, Kind: cycle.Anniversary, Start: at(t, tt.start), Location: zone(t, tt.zone)}
			p := c.First()
			for _, want := range tt.want {
				if !p.End.Equal(at(t, want)) {
					t.Fatalf("period %v ends at %s, want %s", p, p.End.Format(time.RFC3339), want)
				}
				p = c.Next(p)
			}
		})
	}
}

func TestPeriodAt(t *testing.T) {
	ny := cycle.Cycle{Interval: calendar.Month, Start: at(t, "2026-03-01T05:00:00Z"), Location: zone(t, "America/New_York")}
	utcMid := cycle.Cycle{Interval: calendar.Month, Start: at(t, "2026-03-12T09:30:00Z")}
	berlin := cycle.Cycle{Interval: calendar.Month, Start: at(t, "2026-01-01T00:00:00Z"), Location: zone(t, "Europe/Berlin")}
	tests := []struct {
		name  string
		c     cycle.Cycle
		t     string
		want  domain.Period
		found bool
	}{
		{"a New York event at 02:00 UTC on April 1 is March's", ny, "2026-04-01T02:00:00Z",
			period(t, "2026-03-01T05:00:00Z", "2026-04-01T04:00:00Z"), true},
		{"a New York event at 04:30 UTC on April 1 is April's", ny, "2026-04-01T04:30:00Z",
			period(t, "2026-04-01T04:00:00Z", "2026-05-01T04:00:00Z"), true},
		{"an event exactly on a boundary belongs to the period it begins", ny, "2026-04-01T04:00:00Z",
			period(t, "2026-04-01T04:00:00Z", "2026-05-01T04:00:00Z"), true},
		{"an event at the start instant is in the first period", utcMid, "2026-03-12T09:30:00Z",
			period(t, "2026-03-12T09:30:00Z", "2026-04-01T00:00:00Z"), true},
		{"an event in the first period gets the clipped first period, not all of March", utcMid, "2026-03-20T00:00:00Z",
			period(t, "2026-03-12T09:30:00Z", "2026-04-01T00:00:00Z"), true},
		{"an event before the start has no period", utcMid, "2026-03-12T09:29:59Z", domain.Period{}, false},
		{"an event earlier the same March day but before the start has no period", utcMid, "2026-03-01T00:00:00Z", domain.Period{}, false},
		{"an event years later finds its month", utcMid, "2031-07-04T12:00:00Z",
			period(t, "2031-07-01T00:00:00Z", "2031-08-01T00:00:00Z"), true},
		{"a Berlin October runs 31 days across the end of daylight saving", berlin, "2026-10-15T12:00:00Z",
			period(t, "2026-09-30T22:00:00Z", "2026-10-31T23:00:00Z"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.c.PeriodAt(at(t, tt.t))
			if ok != tt.found {
				t.Fatalf("PeriodAt found = %v, want %v", ok, tt.found)
			}
			wantPeriod(t, "PeriodAt", got, tt.want)
		})
	}
}

func TestBerlinOctoberIs745Hours(t *testing.T) {
	berlin := zone(t, "Europe/Berlin")
	c := cycle.Cycle{Interval: calendar.Month, Start: at(t, "2026-01-01T00:00:00Z"), Location: berlin}
	p, _ := c.PeriodAt(at(t, "2026-10-15T12:00:00Z"))
	if h := p.End.Sub(p.Start).Hours(); h != 745 {
		t.Errorf("October lasts %v hours, want 745", h)
	}
	if d := calendar.Days(p, berlin); d != 31 {
		t.Errorf("October has %d days, want 31", d)
	}
	if got := cycle.ProrationFor(p, c.FullPeriodAround(p), berlin); !got.Full() || got.OfDays != 31 {
		t.Errorf("proration of all of October = %v, want 31/31", got)
	}
}

func TestNext(t *testing.T) {
	c := cycle.Cycle{Interval: calendar.Month, Start: at(t, "2026-03-12T09:30:00Z")}
	tests := []struct {
		name string
		p    domain.Period
		want domain.Period
	}{
		{"the period after the first one is the next whole month", c.First(),
			period(t, "2026-04-01T00:00:00Z", "2026-05-01T00:00:00Z")},
		{"December is followed by January of the next year", period(t, "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z"),
			period(t, "2027-01-01T00:00:00Z", "2027-02-01T00:00:00Z")},
		{"a period cut short by a change of plan is followed by the rest of its month", period(t, "2026-04-01T00:00:00Z", "2026-04-15T10:00:00Z"),
			period(t, "2026-04-15T10:00:00Z", "2026-05-01T00:00:00Z")},
		{"an unbounded period has no successor", domain.Period{Start: at(t, "2026-04-01T00:00:00Z")}, domain.Period{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantPeriod(t, "Next", c.Next(tt.p), tt.want)
		})
	}
}

func TestFullPeriodAround(t *testing.T) {
	tests := []struct {
		name string
		c    cycle.Cycle
		want domain.Period
	}{
		{"a calendar month started mid-March is prorated against all of March",
			cycle.Cycle{Interval: calendar.Month, Start: at(t, "2026-03-12T09:30:00Z")},
			period(t, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z")},
		{"a calendar week started on a Wednesday is prorated against its ISO week",
			cycle.Cycle{Interval: calendar.Week, Start: at(t, "2026-03-11T10:00:00Z")},
			period(t, "2026-03-09T00:00:00Z", "2026-03-16T00:00:00Z")},
		{"a calendar quarter started in May is prorated against April to June",
			cycle.Cycle{Interval: calendar.Quarter, Start: at(t, "2026-05-20T12:00:00Z")},
			period(t, "2026-04-01T00:00:00Z", "2026-07-01T00:00:00Z")},
		{"a calendar year started in June is prorated against the whole year",
			cycle.Cycle{Interval: calendar.Year, Start: at(t, "2026-06-15T08:00:00Z")},
			period(t, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")},
		{"an anniversary month started mid-day is prorated against the month from that midnight",
			cycle.Cycle{Interval: calendar.Month, Kind: cycle.Anniversary, Start: at(t, "2026-01-31T15:00:00Z")},
			period(t, "2026-01-31T00:00:00Z", "2026-02-28T00:00:00Z")},
		{"a New York calendar month uses New York's March",
			cycle.Cycle{Interval: calendar.Month, Start: at(t, "2026-03-16T03:30:00Z"), Location: zone(t, "America/New_York")},
			period(t, "2026-03-01T05:00:00Z", "2026-04-01T04:00:00Z")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantPeriod(t, "FullPeriodAround(First())", tt.c.FullPeriodAround(tt.c.First()), tt.want)
		})
	}
}

func TestPeriodsEndingBy(t *testing.T) {
	c := cycle.Cycle{Interval: calendar.Month, Start: at(t, "2026-03-12T09:30:00Z")}
	first := c.First()
	april := period(t, "2026-04-01T00:00:00Z", "2026-05-01T00:00:00Z")
	may := period(t, "2026-05-01T00:00:00Z", "2026-06-01T00:00:00Z")
	tests := []struct {
		name string
		got  []domain.Period
		want []domain.Period
	}{
		{"nothing has ended before the first period ends", c.PeriodsEndingBy(at(t, "2026-03-31T23:59:59Z")), nil},
		{"a period ending exactly at t is included", c.PeriodsEndingBy(at(t, "2026-06-01T00:00:00Z")), []domain.Period{first, april, may}},
		{"the period still running at t is left out", c.PeriodsEndingBy(at(t, "2026-05-31T23:59:59Z")), []domain.Period{first, april}},
		{"nothing has ended before the start", c.PeriodsEndingBy(at(t, "2020-01-01T00:00:00Z")), nil},
		{"catching up after the first period lists the later ones", c.PeriodsEndingBetween(first.End, at(t, "2026-06-15T00:00:00Z")), []domain.Period{april, may}},
		{"catching up from before the start begins with the first period", c.PeriodsEndingBetween(at(t, "2020-01-01T00:00:00Z"), at(t, "2026-05-01T00:00:00Z")), []domain.Period{first, april}},
		{"catching up from mid-period includes that period once it ends", c.PeriodsEndingBetween(at(t, "2026-04-10T00:00:00Z"), at(t, "2026-05-01T00:00:00Z")), []domain.Period{april}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.got) != len(tt.want) {
				t.Fatalf("got %d periods %v, want %d %v", len(tt.got), tt.got, len(tt.want), tt.want)
			}
			for i := range tt.got {
				wantPeriod(t, "period", tt.got[i], tt.want[i])
			}
		})
	}
}

func TestPeriodsEndingByIsBoundedAndCanContinue(t *testing.T) {
	c := cycle.Cycle{Interval: calendar.Day, Start: at(t, "1990-01-01T00:00:00Z")}
	until := at(t, "2030-01-01T00:00:00Z")
	all := c.PeriodsEndingBy(until)
	if len(all) != cycle.MaxPeriods {
		t.Fatalf("got %d periods, want the cap %d", len(all), cycle.MaxPeriods)
	}
	total := len(all)
	for last := all[len(all)-1].End; ; {
		more := c.PeriodsEndingBetween(last, until)
		if len(more) == 0 {
			break
		}
		if !more[0].Start.Equal(last) {
			t.Fatalf("continuation starts at %v, want %v", more[0].Start, last)
		}
		total += len(more)
		last = more[len(more)-1].End
	}
	want := int(until.Sub(at(t, "1990-01-01T00:00:00Z")).Hours() / 24)
	if total != want {
		t.Errorf("caught up %d days, want %d", total, want)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		c      cycle.Cycle
		fields []string
	}{
		{"a calendar month is valid", cycle.Cycle{Interval: calendar.Month, Kind: cycle.Calendar}, nil},
		{"an empty kind means calendar and is valid", cycle.Cycle{Interval: calendar.Year}, nil},
		{"an anniversary week is valid", cycle.Cycle{Interval: calendar.Week, Kind: cycle.Anniversary}, nil},
		{"a missing interval is reported", cycle.Cycle{}, []string{"interval"}},
		{"an unknown interval is reported", cycle.Cycle{Interval: "fortnight"}, []string{"interval"}},
		{"an interval is case-sensitive", cycle.Cycle{Interval: "Month"}, []string{"interval"}},
		{"an unknown kind is reported", cycle.Cycle{Interval: calendar.Day, Kind: "fiscal"}, []string{"billing_cycle"}},
		{"both problems are reported together", cycle.Cycle{Interval: "hour", Kind: "fiscal"}, []string{"interval", "billing_cycle"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.c.Validate()
			if tt.fields == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			e, ok := domain.AsError(err)
			if !ok || e.Kind != domain.KindValidation {
				t.Fatalf("Validate() = %v, want a validation error", err)
			}
			if len(e.Fields) != len(tt.fields) {
				t.Fatalf("fields = %v, want %v", e.Fields, tt.fields)
			}
			for i, f := range tt.fields {
				if e.Fields[i].Field != f {
					t.Errorf("field %d = %q, want %q", i, e.Fields[i].Field, f)
				}
			}
		})
	}
}

func TestAnInvalidCyclePanicsInsteadOfInventingPeriods(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("First() on an unknown interval did not panic")
		}
	}()
	cycle.Cycle{Interval: "fortnight"}.First()
}

func TestLoadLocation(t *testing.T) {
	tests := []struct {
		name    string
		zone    string
		want    string
		invalid bool
	}{
		{"an empty zone means UTC", "", "UTC", false},
		{"an IANA name loads", "Europe/Berlin", "Europe/Berlin", false},
		{"an unknown name is a validation error", "Mars/Olympus_Mons", "", true},
		{"the server's Local zone is refused", "Local", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc, err := calendar.LoadLocation(tt.zone)
			if tt.invalid {
				if domain.KindOf(err) != domain.KindValidation {
					t.Fatalf("LoadLocation(%q) error = %v, want a validation error", tt.zone, err)
				}
				if e, _ := domain.AsError(err); e.Fields[0].Field != "timezone" {
					t.Errorf("field = %q, want timezone", e.Fields[0].Field)
				}
				return
			}
			if err != nil || loc.String() != tt.want {
				t.Fatalf("LoadLocation(%q) = %v, %v; want %s", tt.zone, loc, err, tt.want)
			}
		})
	}
}
