package domain

import (
	"context"
	"testing"
	"time"
)

func TestClocks(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	c := NewFixedClock(t0.In(time.FixedZone("+09", 9*3600)))
	ctx := context.Background()
	if got := c.Now(ctx); !got.Equal(t0) || got.Location() != time.UTC {
		t.Errorf("a fixed clock reads %s, want %s in UTC", got, t0)
	}
	c.Advance(time.Hour)
	if got := c.Now(ctx); !got.Equal(t0.Add(time.Hour)) {
		t.Errorf("after Advance: %s", got)
	}
	c.Set(t0.AddDate(0, 1, 0))
	if got := c.Now(ctx); !got.Equal(t0.AddDate(0, 1, 0)) {
		t.Errorf("after Set: %s", got)
	}

	// A context's "now" (a test clock) wins over both clocks.
	tc := time.Date(2030, 1, 1, 0, 0, 0, 0, time.FixedZone("-05", -5*3600))
	cctx := WithNow(ctx, tc)
	if got := c.Now(cctx); !got.Equal(tc) || got.Location() != time.UTC {
		t.Errorf("fixed clock with a context now reads %s, want %s in UTC", got, tc)
	}
	if got := (SystemClock{}).Now(cctx); !got.Equal(tc) {
		t.Errorf("system clock with a context now reads %s, want %s", got, tc)
	}
	if got, ok := NowFrom(cctx); !ok || !got.Equal(tc) {
		t.Errorf("NowFrom = %s, %v", got, ok)
	}
	if _, ok := NowFrom(ctx); ok {
		t.Error("NowFrom found a now in a plain context")
	}
	if _, ok := NowFrom(nil); ok {
		t.Error("NowFrom found a now in a nil context")
	}
	before := time.Now()
	got := (SystemClock{}).Now(ctx)
	if got.Before(before.Add(-time.Second)) || got.After(time.Now().Add(time.Second)) || got.Location() != time.UTC {
		t.Errorf("system clock reads %s, not the wall clock in UTC", got)
	}
}
