package domain

import (
	"sync"
	"time"
)

// Clock is where domain code takes "now" from. Production uses SystemClock;
// tests inject a FixedClock so that periods and timestamps are reproducible.
type Clock interface {
	Now() time.Time
}

// SystemClock reads the wall clock, in UTC.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// FixedClock returns a time set by the test; Set and Advance move it. It is
// safe for concurrent use.
type FixedClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewFixedClock returns a clock that reads t until moved.
func NewFixedClock(t time.Time) *FixedClock { return &FixedClock{t: t.UTC()} }

// Now returns the clock's current time.
func (c *FixedClock) Now() time.Time {
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
