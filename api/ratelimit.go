package api

import (
	"crypto/sha256"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"
)

// limiter is a token bucket per API key (or per client address for calls
// without one): RatePerSecond requests a second on average, bursts of twice
// that. Over the limit a call answers 429 rate_limited with Retry-After.
type limiter struct {
	mu      sync.Mutex
	rps     float64
	buckets map[[32]byte]*bucket
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLimiter(rps float64) *limiter {
	return &limiter{rps: rps, buckets: map[[32]byte]*bucket{}}
}

// allow takes a token for the caller; it also forgets buckets idle for ten
// minutes, so the map stays bounded.
func (l *limiter) allow(caller string, now time.Time) (bool, time.Duration) {
	k := sha256.Sum256([]byte(caller))
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[k]
	if !ok {
		if len(l.buckets) > 10000 {
			for key, x := range l.buckets {
				if now.Sub(x.seen) > 10*time.Minute {
					delete(l.buckets, key)
				}
			}
		}
		burst := int(2 * l.rps)
		if burst < 1 {
			burst = 1
		}
		b = &bucket{lim: rate.NewLimiter(rate.Limit(l.rps), burst)}
		l.buckets[k] = b
	}
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// rateLimit returns the middleware; a zero rate turns it off. The limiter
// is made here, once: echo applies middleware anew on every request.
func (s *Server) rateLimit() echo.MiddlewareFunc {
	if s.cfg.RateLimit <= 0 {
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	l := newLimiter(s.cfg.RateLimit)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			caller := bearer(c)
			if caller == "" {
				caller = "ip:" + c.RealIP()
			}
			ok, wait := l.allow(caller, time.Now())
			if !ok {
				c.Response().Header().Set("Retry-After", strconv.Itoa(int(wait/time.Second)+1))
				return echo.NewHTTPError(http.StatusTooManyRequests, "rate limit exceeded: slow down or send events in batches")
			}
			return next(c)
		}
	}
}
