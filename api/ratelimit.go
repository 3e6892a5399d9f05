package api

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"
)

// maxBuckets bounds the limiter's memory whatever the traffic: past it,
// buckets idle for a minute are forgotten (a sweep at most once a second,
// so a flood costs no more than one scan a second), and while every bucket
// is busy, new callers share one overflow bucket (a flood of distinct
// callers is limited as one).
const maxBuckets = 50_000

// limiter is a token bucket per caller: RatePerSecond requests a second on
// average, bursts of twice that. Callers are authenticated API keys (by key
// id, so junk bearer strings make no bucket) or, for requests without a
// valid key, the client address. Over the limit a call answers 429
// rate_limited with Retry-After. Every limited reply carries
// X-RateLimit-Limit (the burst), X-RateLimit-Remaining (whole tokens left)
// and X-RateLimit-Reset (seconds until the bucket is full again), the
// headers Lago's and GitHub's clients read.
type limiter struct {
	mu       sync.Mutex
	rps      float64
	burst    int
	buckets  map[string]*bucket
	overflow *bucket
	swept    time.Time // the last sweep of idle buckets (at most one a second)
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLimiter(rps float64) *limiter {
	burst := int(2 * rps)
	if burst < 1 {
		burst = 1
	}
	return &limiter{rps: rps, burst: burst, buckets: map[string]*bucket{},
		overflow: &bucket{lim: rate.NewLimiter(rate.Limit(rps), burst)}}
}

// take is one call's verdict.
type take struct {
	ok        bool
	wait      time.Duration // until a token is back, when refused
	remaining int
	reset     time.Duration // until the bucket is full
}

// allow takes a token for the caller.
func (l *limiter) allow(caller string, now time.Time) (bool, time.Duration) {
	t := l.take(caller, now)
	return t.ok, t.wait
}

func (l *limiter) take(caller string, now time.Time) take {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[caller]
	if !ok {
		if len(l.buckets) >= maxBuckets && now.Sub(l.swept) >= time.Second {
			l.swept = now
			for key, x := range l.buckets {
				if now.Sub(x.seen) > time.Minute {
					delete(l.buckets, key)
				}
			}
		}
		if len(l.buckets) >= maxBuckets {
			b = l.overflow
		} else {
			b = &bucket{lim: rate.NewLimiter(rate.Limit(l.rps), l.burst)}
			l.buckets[caller] = b
		}
	}
	b.seen = now
	out := take{ok: true}
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		out.ok, out.wait = false, d
	}
	tokens := b.lim.TokensAt(now)
	out.remaining = max(0, int(math.Floor(tokens)))
	out.reset = time.Duration((float64(l.burst) - tokens) / l.rps * float64(time.Second))
	return out
}

// size is how many callers have a bucket (tests).
func (l *limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// limit charges caller a token and writes the rate-limit headers; it
// returns the 429 error when the caller is over its limit. A nil limiter
// (limiting off) lets everything through.
func (l *limiter) limit(c echo.Context, caller string) error {
	if l == nil {
		return nil
	}
	t := l.take(caller, time.Now())
	h := c.Response().Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(l.burst))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(t.remaining))
	h.Set("X-RateLimit-Reset", strconv.Itoa(int(math.Ceil(t.reset.Seconds()))))
	if !t.ok {
		h.Set("Retry-After", strconv.Itoa(int(t.wait/time.Second)+1))
		return echo.NewHTTPError(http.StatusTooManyRequests, "rate limit exceeded: slow down or send events in batches")
	}
	return nil
}

// newRateLimiter returns the server's limiter; nil when the rate is 0 (off).
func newRateLimiter(rps float64) *limiter {
	if rps <= 0 {
		return nil
	}
	return newLimiter(rps)
}

// unlimited routes are never rate limited: health checks and metrics must
// answer whatever else happens.
func unlimited(path string) bool {
	return path == "/healthz" || path == "/readyz" || path == "/metrics"
}
