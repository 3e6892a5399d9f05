package domain

import (
	"testing"
	"time"
)

func day(d int) time.Time { return time.Date(2026, 3, d, 0, 0, 0, 0, time.UTC) }

func TestPeriodContains(t *testing.T) {
	p := Period{Start: day(1), End: day(2)}
	open := Period{Start: day(1)}
	for _, tc := range []struct {
		name string
		p    Period
		at   time.Time
		want bool
	}{
		{"the start belongs to the period", p, day(1), true},
		{"the last nanosecond before the end belongs to it", p, day(2).Add(-time.Nanosecond), true},
		{"the end belongs to the next period", p, day(2), false},
		{"an instant before the start does not", p, day(1).Add(-time.Nanosecond), false},
		{"an unbounded period holds every later instant", open, day(28).AddDate(10, 0, 0), true},
		{"an unbounded period does not hold its past", open, day(1).Add(-time.Second), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.p.Contains(tc.at); got != tc.want {
				t.Errorf("%s.Contains(%s) = %v, want %v", tc.p, tc.at, got, tc.want)
			}
		})
	}
}

func TestPeriodOverlaps(t *testing.T) {
	for _, tc := range []struct {
		name string
		p, q Period
		want bool
	}{
		{"periods that share a day overlap", Period{day(1), day(3)}, Period{day(2), day(4)}, true},
		{"adjacent periods do not overlap (half-open)", Period{day(1), day(2)}, Period{day(2), day(3)}, false},
		{"a period inside another overlaps it", Period{day(1), day(10)}, Period{day(3), day(4)}, true},
		{"an unbounded period overlaps any later one", Period{Start: day(1)}, Period{day(5), day(6)}, true},
		{"an unbounded period does not overlap one that ended before it", Period{Start: day(5)}, Period{day(1), day(5)}, false},
		{"two unbounded periods overlap", Period{Start: day(1)}, Period{Start: day(9)}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.p.Overlaps(tc.q); got != tc.want {
				t.Errorf("%s.Overlaps(%s) = %v, want %v", tc.p, tc.q, got, tc.want)
			}
			if got := tc.q.Overlaps(tc.p); got != tc.want {
				t.Errorf("overlap is not symmetric: %s.Overlaps(%s) = %v", tc.q, tc.p, got)
			}
		})
	}
}

func TestPeriodClipAndEmpty(t *testing.T) {
	p := Period{Start: day(1), End: day(10)}
	for _, tc := range []struct {
		name  string
		p     Period
		at    time.Time
		want  Period
		empty bool
	}{
		{"clipping inside the period ends it there", p, day(5), Period{day(1), day(5)}, false},
		{"clipping after the end leaves it whole", p, day(20), p, false},
		{"clipping before the start leaves an empty period at the start", p, day(1).Add(-time.Hour), Period{day(1), day(1)}, true},
		{"clipping at the start is empty", p, day(1), Period{day(1), day(1)}, true},
		{"clipping an unbounded period bounds it", Period{Start: day(1)}, day(3), Period{day(1), day(3)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.p.Clip(tc.at)
			if !got.Start.Equal(tc.want.Start) || !got.End.Equal(tc.want.End) {
				t.Errorf("%s.Clip(%s) = %s, want %s", tc.p, tc.at, got, tc.want)
			}
			if got.Empty() != tc.empty {
				t.Errorf("%s.Empty() = %v, want %v", got, got.Empty(), tc.empty)
			}
		})
	}
	if (Period{Start: day(1)}).Empty() {
		t.Error("an unbounded period is empty")
	}
	if s := (Period{day(1), day(2)}).String(); s != "[2026-03-01T00:00:00Z, 2026-03-02T00:00:00Z)" {
		t.Errorf("String() = %q", s)
	}
}
