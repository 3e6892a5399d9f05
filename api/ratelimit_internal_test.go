package api

import (
	"strconv"
	"testing"
	"time"
)

func TestTheLimiterAllowsABurstThenRefusesUntilTokensReturn(t *testing.T) {
	l := newLimiter(2) // 2 a second, bursts of 4
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 4; i++ {
		if ok, _ := l.allow("key-a", now); !ok {
			t.Fatalf("call %d of the burst was refused", i+1)
		}
	}
	ok, wait := l.allow("key-a", now)
	if ok || wait <= 0 {
		t.Fatalf("the fifth call at once was allowed (wait %s)", wait)
	}
	if ok, _ := l.allow("key-b", now); !ok {
		t.Error("another key shares the first key's bucket")
	}
	if ok, _ := l.allow("key-a", now.Add(600*time.Millisecond)); !ok {
		t.Error("a token did not come back after half a second")
	}
}

func TestTheLimitersMemoryStaysBoundedWhateverTheCallers(t *testing.T) {
	l := newLimiter(10)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 2*maxBuckets; i++ {
		l.take("caller-"+strconv.Itoa(i), now)
	}
	if n := l.size(); n > maxBuckets {
		t.Fatalf("%d buckets after %d callers, want at most %d", n, 2*maxBuckets, maxBuckets)
	}
	// Once the first ones are idle, newcomers get buckets of their own again.
	later := now.Add(2 * time.Minute)
	if ok, _ := l.allow("newcomer", later); !ok {
		t.Fatal("a newcomer after the idle ones were forgotten was refused")
	}
	if n := l.size(); n > maxBuckets {
		t.Fatalf("%d buckets, want at most %d", n, maxBuckets)
	}
}
