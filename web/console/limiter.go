package console

import (
	"sync"
	"time"
)

// Failed logins: after loginFailures failures from one client address
// within loginWindow, that address may not try again until the window of
// its first failure has passed (a 429 page says when). A success clears the
// address's count. Guessing a 32-byte key is hopeless anyway; this stops a
// script from hammering the database and the log.
const (
	loginFailures = 5
	loginWindow   = 10 * time.Minute
)

type loginLimiter struct {
	mu       sync.Mutex
	failures map[string][]time.Time
}

func newLoginLimiter() *loginLimiter { return &loginLimiter{failures: map[string][]time.Time{}} }

// blocked reports whether addr is locked out at now, and until when.
func (l *loginLimiter) blocked(addr string, now time.Time) (time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	recent := l.recent(addr, now)
	if len(recent) >= loginFailures {
		return recent[0].Add(loginWindow), true
	}
	return time.Time{}, false
}

// fail records a failed attempt of addr.
func (l *loginLimiter) fail(addr string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failures[addr] = append(l.recent(addr, now), now)
	if len(l.failures) > 10000 { // forget addresses whose window has passed
		for a := range l.failures {
			if len(l.recent(a, now)) == 0 {
				delete(l.failures, a)
			}
		}
	}
}

// succeed forgets addr's failures.
func (l *loginLimiter) succeed(addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, addr)
}

// recent are addr's failures inside the window ending at now (lock held).
func (l *loginLimiter) recent(addr string, now time.Time) []time.Time {
	var out []time.Time
	for _, t := range l.failures[addr] {
		if now.Sub(t) < loginWindow {
			out = append(out, t)
		}
	}
	l.failures[addr] = out
	return out
}
