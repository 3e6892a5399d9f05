package domain

import (
	"context"
	"sync"
	"time"
)

// Clock is where domain code takes "now" from. Production uses SystemClock;
// tests inject a FixedClock so that periods and timestamps are reproducible.
//
// Every Clock honours a "now" carried by the context (WithNow): that is how
// a tenant's test clock (api.md, "Test clock") reaches every part of Tally
// that reads the time — ingestion's future-skew check, "now" in changes,
// default at and as_of, credits — without any of them knowing about it.
type Clock interface {
	Now(ctx context.Context) time.Time
}

type nowKey struct{}

// WithNow returns a context in which every Clock reads t as "now".
func WithNow(ctx context.Context, t time.Time) context.Context {
	return context.WithValue(ctx, nowKey{}, t.UTC())
}

// WithoutNow returns a context in which Clocks read their own time again,
// whatever "now" ctx carried.
func WithoutNow(ctx context.Context) context.Context {
	return context.WithValue(ctx, nowKey{}, time.Time{})
}

// NowFrom returns the "now" that WithNow put in ctx, if any.
func NowFrom(ctx context.Context) (time.Time, bool) {
	if ctx == nil {
		return time.Time{}, false
	}
	t, ok := ctx.Value(nowKey{}).(time.Time)
	return t, ok && !t.IsZero()
}

// SystemClock reads the wall clock, in UTC, unless the context carries a
// test clock's time.
type SystemClock struct{}

// Now returns the context's "now" if it has one, else the current time in UTC.
func (SystemClock) Now(ctx context.Context) time.Time {
	if t, ok := NowFrom(ctx); ok {
		return t
	}
	return time.Now().UTC()
}

// FixedClock returns a time set by the test; Set and Advance move it. A
// context's "now" (WithNow) still takes precedence. It is safe for
// concurrent use.
type FixedClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewFixedClock returns a clock that reads t until moved.
func NewFixedClock(t time.Time) *FixedClock { return &FixedClock{t: t.UTC()} }

// Now returns the context's "now" if it has one, else the clock's time.
func (c *FixedClock) Now(ctx context.Context) time.Time {
	if t, ok := NowFrom(ctx); ok {
		return t
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *FixedClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t.UTC()
}

// Advance moves the clock forward by d.
func (c *FixedClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
