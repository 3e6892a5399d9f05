package cycle_test

import (
	"testing"
	"time"
	_ "time/tzdata" // tests do not depend on the machine's zone database

	"github.com/tallyhq/tally/domain"
)

func zone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return loc
}

func at(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("parse %s: %v", s, err)
	}
	return v
}

func period(t testing.TB, start, end string) domain.Period {
	t.Helper()
	return domain.Period{Start: at(t, start), End: at(t, end)}
}

func samePeriod(p, q domain.Period) bool { return p.Start.Equal(q.Start) && p.End.Equal(q.End) }

func wantPeriod(t testing.TB, what string, got, want domain.Period) {
	t.Helper()
	if !samePeriod(got, want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}
