package invoicing

import (
	"sync"
	"time"

	"github.com/tallyhq/tally/credits"
)

// balanceFlights lets concurrent live balance requests of one customer
// share one computation. A request joins a computation in flight only if
// it read the same versions (balanceStamp) as that computation did when it
// started: no change was notified in between, so the shared answer is as
// fresh as one it would compute itself (a change not yet notified is
// invisible to both). A request whose stamp differs computes on its own;
// under steady ingestion of the customer this bounds the work to about one
// computation per change instead of one per request.
type balanceFlights struct {
	mu      sync.Mutex
	flights map[balanceStamp]*balanceFlight
}

type balanceFlight struct {
	done     chan struct{}
	computed time.Time // the tenant's now the computation ran at
	units    []credits.UnitBalance
	until    time.Time
	err      error
}

func newBalanceFlights() *balanceFlights {
	return &balanceFlights{flights: map[balanceStamp]*balanceFlight{}}
}

// do returns the result of the computation of st in flight, started at
// or before now, if any, else runs compute (at now) and hands its result to
// those who joined. The caller checks that now lies before until.
func (f *balanceFlights) do(st balanceStamp, now time.Time, compute func() ([]credits.UnitBalance, time.Time, error)) ([]credits.UnitBalance, time.Time, time.Time, error) {
	f.mu.Lock()
	if fl, ok := f.flights[st]; ok && !fl.computed.After(now) {
		f.mu.Unlock()
		<-fl.done
		return fl.units, fl.until, fl.computed, fl.err
	}
	fl := &balanceFlight{done: make(chan struct{}), computed: now}
	f.flights[st] = fl
	f.mu.Unlock()
	fl.units, fl.until, fl.err = compute()
	f.mu.Lock()
	if f.flights[st] == fl {
		delete(f.flights, st)
	}
	f.mu.Unlock()
	close(fl.done)
	return fl.units, fl.until, fl.computed, fl.err
}
