package advisor

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// TestEachOfKeepsOrderBoundsWorkersAndStopsAtAnError: results come in the
// items' order whatever order they finish in, never more than the workers
// run at once, and an error is returned (the first in item order) with the
// items not started yet skipped.
func TestEachOfKeepsOrderBoundsWorkersAndStopsAtAnError(t *testing.T) {
	items := make([]int, 40)
	for i := range items {
		items[i] = i
	}
	for _, workers := range []int{0, 1, 4} {
		var running, most atomic.Int32
		got, err := eachOf(context.Background(), workers, items, func(_ context.Context, i int) (string, error) {
			n := running.Add(1)
			defer running.Add(-1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			time.Sleep(time.Duration(40-i) * 50 * time.Microsecond) // later items finish sooner
			return fmt.Sprint(i), nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for i, g := range got {
			if g != fmt.Sprint(i) {
				t.Fatalf("%d workers: result %d is %q", workers, i, g)
			}
		}
		if limit := int32(max(workers, 1)); most.Load() > limit {
			t.Errorf("%d workers: %d ran at once", workers, most.Load())
		}
	}
	var calls atomic.Int32
	boom := errors.New("boom")
	_, err := eachOf(context.Background(), 4, items, func(_ context.Context, i int) (int, error) {
		calls.Add(1)
		if i == 2 {
			return 0, boom
		}
		time.Sleep(time.Millisecond)
		return i, nil
	})
	if !errors.Is(err, boom) {
		t.Errorf("error %v, want boom", err)
	}
	if n := calls.Load(); n >= int32(len(items)) {
		t.Errorf("all %d items ran after an error", n)
	}
}
