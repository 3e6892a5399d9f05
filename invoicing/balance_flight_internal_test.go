package invoicing

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tallyhq/tally/credits"
)

func TestBalanceFlights(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	st := balanceStamp{tenant: "t", customer: "c", ext: "x", vc: 1}
	t.Run("requests with the same versions share one computation in flight", func(t *testing.T) {
		f := newBalanceFlights()
		var calls atomic.Int32
		release := make(chan struct{})
		started := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			f.do(st, t0, func() ([]credits.UnitBalance, time.Time, error) {
				calls.Add(1)
				close(started)
				<-release
				return nil, t0.Add(time.Hour), nil
			})
		}()
		<-started
		got := make(chan time.Time, 1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, until, computed, _ := f.do(st, t0.Add(time.Second), func() ([]credits.UnitBalance, time.Time, error) {
				calls.Add(1)
				return nil, t0, nil
			})
			got <- computed
			if !until.Equal(t0.Add(time.Hour)) {
				t.Errorf("the joiner got until %s, not the shared one", until)
			}
		}()
		time.Sleep(20 * time.Millisecond) // let the joiner wait on the flight
		close(release)
		wg.Wait()
		if n := calls.Load(); n != 1 {
			t.Fatalf("computed %d times, want 1", n)
		}
		if c := <-got; !c.Equal(t0) {
			t.Fatalf("the joiner's answer is stamped %s, want the flight's %s", c, t0)
		}
	})
	t.Run("other versions, or a request older than the flight, compute on their own", func(t *testing.T) {
		f := newBalanceFlights()
		var calls atomic.Int32
		release := make(chan struct{})
		started := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			f.do(st, t0, func() ([]credits.UnitBalance, time.Time, error) {
				calls.Add(1)
				close(started)
				<-release
				return nil, t0.Add(time.Hour), nil
			})
		}()
		<-started
		changed := st
		changed.ve++
		f.do(changed, t0, func() ([]credits.UnitBalance, time.Time, error) { calls.Add(1); return nil, t0, nil })
		f.do(st, t0.Add(-time.Second), func() ([]credits.UnitBalance, time.Time, error) { calls.Add(1); return nil, t0, nil })
		close(release)
		wg.Wait()
		if n := calls.Load(); n != 3 {
			t.Fatalf("computed %d times, want 3", n)
		}
	})
}
