package eventstoretest

import (
	"errors"
	"fmt"
	"math/rand"
	"sync"
	"testing"

	"github.com/tallyhq/tally/domain/eventvalue"
	"github.com/tallyhq/tally/meters"
	"gorm.io/gorm"
)

func testExactlyOnce(t *testing.T, h *harness) {
	sum := h.meter(t, meters.Sum, "n", "call", nil)
	h.ensure(t, sum, nil) // rollups kept at ingestion must not count duplicates either
	hour := period("2026-05-04T10:00:00Z", "2026-05-04T11:00:00Z")
	cases := []struct {
		name    string
		batches [][]meters.NewEvent
		fresh   [][]bool
		stored  []meters.NewEvent // the customer's events as they must be stored
	}{
		{
			name: "an id written twice is stored once and the second write is a duplicate",
			batches: [][]meters.NewEvent{{ev("twice", "c1", "call", "2026-05-04T10:10:00Z", `{"n": 1}`)},
				{ev("twice", "c1", "call", "2026-05-04T10:10:00Z", `{"n": 1}`)}},
			fresh:  [][]bool{{true}, {false}},
			stored: []meters.NewEvent{ev("twice", "c1", "call", "2026-05-04T10:10:00Z", `{"n": 1}`)},
		},
		{
			name: "an id twice in one batch keeps the earlier one",
			batches: [][]meters.NewEvent{{ev("inbatch", "c2", "call", "2026-05-04T10:10:00Z", `{"n": 1}`),
				ev("other", "c2", "call", "2026-05-04T10:11:00Z", `{"n": 10}`),
				ev("inbatch", "c2", "call", "2026-05-04T10:12:00Z", `{"n": 5}`)}},
			fresh: [][]bool{{true, true, false}},
			stored: []meters.NewEvent{ev("other", "c2", "call", "2026-05-04T10:11:00Z", `{"n": 10}`),
				ev("inbatch", "c2", "call", "2026-05-04T10:10:00Z", `{"n": 1}`)},
		},
		{
			name: "the first write wins whatever the later payload, timestamp, customer or event name",
			batches: [][]meters.NewEvent{{ev("first", "c3", "call", "2026-05-04T10:20:00Z", `{"n": 3}`)},
				{ev("first", "c3", "call", "2026-05-04T10:20:00Z", `{"n": 300}`)},
				{ev("first", "c3", "call", "2026-05-04T10:40:00Z", `{"n": 3}`)},
				{ev("first", "c3b", "call", "2026-05-04T10:20:00Z", `{"n": 3}`)},
				{ev("first", "c3", "put", "2026-05-04T10:20:00Z", `{"n": 3}`)}},
			fresh:  [][]bool{{true}, {false}, {false}, {false}, {false}},
			stored: []meters.NewEvent{ev("first", "c3", "call", "2026-05-04T10:20:00Z", `{"n": 3}`)},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for i, b := range c.batches {
				got := h.write(t, b...)
				if fmt.Sprint(got) != fmt.Sprint(c.fresh[i]) {
					t.Errorf("batch %d: fresh %v, want %v", i, got, c.fresh[i])
				}
			}
			cust := c.stored[0].Customer
			checkStored(t, h.all(t, h.env.Tenant, meters.EventQuery{Customer: cust}, 100), c.stored)
			if got := h.all(t, h.env.Tenant, meters.EventQuery{Customer: "c3b"}, 100); len(got) != 0 {
				t.Errorf("a duplicate was stored for another customer: %v", got)
			}
			var want []meters.Event
			for _, e := range c.stored {
				want = append(want, e.Event())
			}
			for _, w := range []meters.Window{hour, period("2026-05-04T10:05:00Z", "2026-05-04T10:45:00Z")} {
				if got, exp := h.quantity(t, sum, cust, nil, w), meters.Aggregate(sum, nil, want, nil, w); !got.Equal(exp) {
					t.Errorf("sum over %v = %s, want %s (the first write's)", w.Period, got, exp)
				}
			}
		})
	}
	t.Run("the same id in another tenant is another event", func(t *testing.T) {
		e := ev("shared-id", "c4", "call", "2026-05-04T10:10:00Z", `{"n": 1}`)
		if got := h.writeTx(t, nil, h.env.Tenant, e); !got[0] {
			t.Error("the first tenant's event was not new")
		}
		if got := h.writeTx(t, nil, h.env.OtherTenant, e); !got[0] {
			t.Error("the same id in another tenant was called a duplicate")
		}
		if got := h.all(t, h.env.OtherTenant, meters.EventQuery{}, 10); len(got) != 1 {
			t.Errorf("the other tenant lists %d events, want 1", len(got))
		}
	})
	t.Run("eight concurrent writers of the same ids store each once and the winner's payload", func(t *testing.T) {
		const writers, ids = 8, 60
		count := h.meter(t, meters.Count, "", "race", nil)
		total := h.meter(t, meters.Sum, "n", "race", nil)
		h.ensure(t, count, nil)
		h.ensure(t, total, nil)
		feeds := h.feeds([]meters.NewEvent{{EventName: "race"}})
		results := make([][]bool, writers)
		batches := make([][]meters.NewEvent, writers)
		for w := range writers {
			rng := rand.New(rand.NewSource(int64(w)))
			for _, i := range rng.Perm(ids) { // each writer in its own order
				batches[w] = append(batches[w], ev(fmt.Sprintf("race-%02d", i), "racer", "race",
					fmt.Sprintf("2026-05-04T10:%02d:00Z", i%60), fmt.Sprintf(`{"n": %d, "writer": %d}`, 1+w, w)))
			}
		}
		var wg sync.WaitGroup
		errs := make([]error, writers)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Half the writers send their batch whole, half in pieces.
				b := batches[w]
				if w%2 == 1 {
					for start := 0; start < len(b); start += 7 {
						end := min(start+7, len(b))
						fresh, err := h.env.Store.WriteEvents(h.ctx, nil, h.env.Tenant, b[start:end], feeds)
						if err != nil {
							errs[w] = err
							return
						}
						results[w] = append(results[w], fresh...)
					}
					return
				}
				results[w], errs[w] = h.env.Store.WriteEvents(h.ctx, nil, h.env.Tenant, b, feeds)
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		winner := map[string]int{}
		for w := range writers {
			for i, fresh := range results[w] {
				if !fresh {
					continue
				}
				id := batches[w][i].ID
				if prev, dup := winner[id]; dup {
					t.Errorf("%s was new for writers %d and %d", id, prev, w)
				}
				winner[id] = w
			}
		}
		if len(winner) != ids {
			t.Errorf("%d ids were new, want %d", len(winner), ids)
		}
		stored := h.all(t, h.env.Tenant, meters.EventQuery{Customer: "racer"}, 25)
		if len(stored) != ids {
			t.Fatalf("%d events stored, want %d", len(stored), ids)
		}
		for _, e := range stored {
			v, _ := e.Properties.Value("writer")
			if want := eventvalue.MustNumber(fmt.Sprint(winner[e.ID])); v != want {
				t.Errorf("%s holds writer %s's payload, but writer %d was told it won", e.ID, v, winner[e.ID])
			}
		}
		hour := period("2026-05-04T10:00:00Z", "2026-05-04T11:00:00Z")
		if got := h.quantity(t, count, "racer", nil, hour); !got.Equal(dec(fmt.Sprint(ids))) {
			t.Errorf("rollups count %s, want %d", got, ids)
		}
		if got, want := h.quantity(t, total, "racer", nil, hour), meters.Aggregate(total, nil, stored, nil, hour); !got.Equal(want) {
			t.Errorf("rollups sum %s, the stored events %s", got, want)
		}
	})
}

// checkStored compares listed events with what must have been stored,
// newest first: ids, names, customers, timestamps and property values.
func checkStored(t *testing.T, got []meters.Event, want []meters.NewEvent) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d events stored, want %d: %v", len(got), len(want), got)
	}
	for i, w := range want {
		e, g := w.Event(), got[i]
		if g.ID != e.ID || g.EventName != e.EventName || g.Customer != e.Customer || !g.Timestamp.Equal(e.Timestamp) {
			t.Errorf("event %d is %s %s %s %s, want %s %s %s %s", i, g.ID, g.EventName, g.Customer, g.Timestamp, e.ID, e.EventName, e.Customer, e.Timestamp)
		}
		for k := range e.Properties {
			a, _ := g.Properties.Value(k)
			b, _ := e.Properties.Value(k)
			if a != b {
				t.Errorf("event %s property %s is %s, want %s", g.ID, k, a, b)
			}
		}
	}
}

func testCallerTransactions(t *testing.T, h *harness) {
	if h.env.InTx == nil {
		t.Skip("this store does not join a caller's transaction")
	}
	count := h.meter(t, meters.Count, "", "call", nil)
	h.ensure(t, count, nil)
	hour := period("2026-05-04T10:00:00Z", "2026-05-04T11:00:00Z")
	t.Run("writes in a caller's transaction that rolls back leave no event and no rollup", func(t *testing.T) {
		errUndo := errors.New("undo")
		err := h.env.InTx(h.ctx, func(tx *gorm.DB) error {
			if got := h.writeTx(t, tx, h.env.Tenant, ev("tx-1", "tx", "call", "2026-05-04T10:10:00Z", `{}`)); !got[0] {
				t.Error("the event was not new")
			}
			return errUndo
		})
		if !errors.Is(err, errUndo) {
			t.Fatalf("the transaction gave %v", err)
		}
		if got := h.all(t, h.env.Tenant, meters.EventQuery{Customer: "tx"}, 10); len(got) != 0 {
			t.Errorf("rolled back events are listed: %v", got)
		}
		if got := h.quantity(t, count, "tx", nil, hour); !got.IsZero() {
			t.Errorf("rolled back events count %s", got)
		}
	})
	t.Run("an id written in a rolled back transaction is new again, and a committed one stays", func(t *testing.T) {
		err := h.env.InTx(h.ctx, func(tx *gorm.DB) error {
			got := h.writeTx(t, tx, h.env.Tenant, ev("tx-1", "tx", "call", "2026-05-04T10:10:00Z", `{}`))
			if !got[0] {
				t.Error("the id of a rolled back write was a duplicate")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := h.quantity(t, count, "tx", nil, hour); !got.Equal(dec("1")) {
			t.Errorf("the committed event counts %s, want 1", got)
		}
	})
	t.Run("a series ensured in a caller's transaction that rolls back is ensured again later", func(t *testing.T) {
		sum := h.meter(t, meters.Sum, "n", "call", nil)
		h.write(t, ev("tx-2", "tx2", "call", "2026-05-04T10:10:00Z", `{"n": 4}`))
		_ = h.env.InTx(h.ctx, func(tx *gorm.DB) error {
			if err := h.env.Store.EnsureSeries(h.ctx, tx, sum, nil, at("2026-05-05T00:00:00Z")); err != nil {
				t.Fatal(err)
			}
			return errors.New("undo")
		})
		h.write(t, ev("tx-3", "tx2", "call", "2026-05-04T10:20:00Z", `{"n": 5}`))
		if got := h.quantity(t, sum, "tx2", nil, hour); !got.Equal(dec("9")) {
			t.Errorf("sum %s, want 9", got)
		}
	})
}
