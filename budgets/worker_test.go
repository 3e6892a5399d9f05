package budgets

import (
	"context"
	"sync"
	"testing"
	"time"
)

// countingEvaluator records each evaluation; the first one waits for
// release, so that touches pile up while a pass runs.
type countingEvaluator struct {
	mu      sync.Mutex
	calls   []string
	at      []time.Time
	first   chan struct{} // closed when the first evaluation starts
	release chan struct{}
	once    sync.Once
}

func (e *countingEvaluator) EvaluateExternal(_ context.Context, _, ext string) error {
	e.mu.Lock()
	e.calls = append(e.calls, ext)
	e.at = append(e.at, time.Now())
	n := len(e.calls)
	e.mu.Unlock()
	if n == 1 {
		e.once.Do(func() { close(e.first) })
		<-e.release
	}
	return nil
}

func (e *countingEvaluator) snapshot() ([]string, []time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.calls...), append([]time.Time(nil), e.at...)
}

func TestTheWorkerEvaluatesAFirstTouchAtOnceAndRestsBetweenPasses(t *testing.T) {
	ev := &countingEvaluator{first: make(chan struct{}), release: make(chan struct{})}
	w := NewWorker(ev, nil)
	w.pause = 300 * time.Millisecond // before any touch: the loop reads it after a pass
	defer w.Close()

	start := time.Now()
	w.Touch("t", []string{"acme"})
	select {
	case <-ev.first:
	case <-time.After(5 * time.Second):
		t.Fatal("a touch after a quiet moment was not evaluated at once")
	}
	if d := time.Since(start); d > 200*time.Millisecond {
		t.Errorf("the first evaluation waited %s", d)
	}
	for range 10 { // ten batches of acme and one of zeta while the pass runs
		w.Touch("t", []string{"acme"})
	}
	w.Touch("t", []string{"zeta"})
	passEnd := time.Now()
	close(ev.release)

	deadline := time.Now().Add(5 * time.Second)
	var calls []string
	var at []time.Time
	for time.Now().Before(deadline) {
		if calls, at = ev.snapshot(); len(calls) >= 3 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(400 * time.Millisecond) // nothing more may come
	calls, at = ev.snapshot()
	if len(calls) != 3 {
		t.Fatalf("evaluations %v, want acme once, then acme and zeta once each", calls)
	}
	if second := at[1].Sub(passEnd); second < 250*time.Millisecond {
		t.Errorf("the next pass began %s after the first ended, before the pause", second)
	}
}
