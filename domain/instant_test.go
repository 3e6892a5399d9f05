package domain

import (
	"strings"
	"testing"
	"time"
)

func TestCheckTime(t *testing.T) {
	for _, tc := range []struct {
		name string
		at   time.Time
		ok   bool
	}{
		{"the first instant of 1970 is accepted", EarliestTime, true},
		{"an instant in 2026 is accepted", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), true},
		{"the last nanosecond before 2200 is accepted", LatestTime.Add(-time.Nanosecond), true},
		{"the first instant of 2200 is refused", LatestTime, false},
		{"a nanosecond before 1970 is refused", EarliestTime.Add(-time.Nanosecond), false},
		{"the zero time (year 1) is refused, not taken as not given", time.Time{}, false},
		{"year 9999 is refused", time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), false},
		{"1970 in a zone east of UTC is before the window", time.Date(1970, 1, 1, 0, 30, 0, 0, time.FixedZone("+01", 3600)), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckTime("start_at", tc.at)
			if tc.ok != (err == nil) {
				t.Fatalf("CheckTime(%s) = %v, want ok %v", tc.at, err, tc.ok)
			}
			if err == nil {
				return
			}
			e, ok := AsError(err)
			if !ok || e.Kind != KindValidation || len(e.Fields) != 1 || e.Fields[0].Field != "start_at" {
				t.Fatalf("CheckTime error %#v is not a validation error naming start_at", err)
			}
			if !strings.Contains(e.Fields[0].Message, "1970-01-01T00:00:00Z") || !strings.Contains(e.Fields[0].Message, "2200-01-01T00:00:00Z") {
				t.Errorf("message %q does not state the window", e.Fields[0].Message)
			}
		})
	}
}

func TestCheckTimePtr(t *testing.T) {
	if err := CheckTimePtr("as_of", nil); err != nil {
		t.Errorf("nil (not given) = %v, want nil", err)
	}
	zero := time.Time{}
	if err := CheckTimePtr("as_of", &zero); err == nil {
		t.Errorf("a given zero time is accepted")
	}
}

func TestParseTime(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     time.Time
		problem  string
	}{
		{"an RFC 3339 UTC timestamp is read", "2026-03-01T00:00:00Z", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), ""},
		{"an offset is turned into UTC", "2026-03-01T09:00:00+09:00", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), ""},
		{"fractional seconds are kept", "2026-03-01T00:00:00.123456789Z", time.Date(2026, 3, 1, 0, 0, 0, 123456789, time.UTC), ""},
		{"a date alone is not RFC 3339", "2026-03-01", time.Time{}, "RFC 3339"},
		{"year 1 is outside the window", "0001-01-01T00:00:00Z", time.Time{}, "must be from"},
		{"year 9999 is outside the window", "9999-01-01T00:00:00Z", time.Time{}, "must be from"},
		{"2200 itself is outside the window", "2200-01-01T00:00:00Z", time.Time{}, "must be from"},
		{"1970 at an offset that makes it 1969 in UTC is outside", "1970-01-01T00:00:00+01:00", time.Time{}, "must be from"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseTime("timestamp", tc.in)
			if tc.problem == "" {
				if err != nil || !got.Equal(tc.want) || got.Location() != time.UTC {
					t.Fatalf("ParseTime(%q) = %s, %v; want %s in UTC", tc.in, got, err, tc.want)
				}
				return
			}
			e, ok := AsError(err)
			if !ok || len(e.Fields) != 1 || e.Fields[0].Field != "timestamp" || !strings.Contains(e.Fields[0].Message, tc.problem) {
				t.Fatalf("ParseTime(%q) error = %v, want one saying %q about timestamp", tc.in, err, tc.problem)
			}
		})
	}
}
