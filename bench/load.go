package bench

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tallyhq/tally/customers"
)

// batchSize is the events of one POST /v1/events/batch (the API's most).
const batchSize = 1000

// eventName is the event every bench sends; the meters count it (calls)
// and sum its tokens property (tokens).
const eventName = "api.call"

// events describes a stream of events: event i has the id prefix+i, the
// customer customers[i mod len] and the timestamp at(i); its tokens are
// 1 + i mod 7 and its model alternates between "a" and "b".
type events struct {
	prefix    string
	customers []string
	at        func(i int) time.Time
}

// tokens is event i's tokens property.
func tokens(i int) int { return 1 + i%7 }

// batch appends the JSON body of events [from, from+n) to buf.
func (e events) batch(buf []byte, from, n int) []byte {
	buf = append(buf, `{"events":[`...)
	for i := from; i < from+n; i++ {
		if i > from {
			buf = append(buf, ',')
		}
		buf = append(buf, `{"id":"`...)
		buf = append(buf, e.prefix...)
		buf = strconv.AppendInt(buf, int64(i), 10)
		buf = append(buf, `","event_name":"`+eventName+`","customer":"`...)
		buf = append(buf, e.customers[i%len(e.customers)]...)
		buf = append(buf, `","timestamp":"`...)
		buf = e.at(i).UTC().AppendFormat(buf, time.RFC3339Nano)
		buf = append(buf, `","properties":{"model":"`...)
		buf = append(buf, "ab"[i%2])
		buf = append(buf, `","tokens":`...)
		buf = strconv.AppendInt(buf, int64(tokens(i)), 10)
		buf = append(buf, "}}"...)
	}
	return append(buf, "]}"...)
}

// ingestResult is the reply of POST /v1/events/batch.
type ingestResult struct {
	Accepted   int   `json:"accepted"`
	Duplicates int   `json:"duplicates"`
	Rejected   []any `json:"rejected"`
}

// sent sums what a load's replies reported.
type sent struct {
	accepted, duplicates, rejected atomic.Int64
}

// send posts events [from, to) in batches from clients concurrent clients,
// each taking the next batch when done with its last; every batch first
// waits for pace (nil: none). It returns at the first error.
func (h *harness) send(ctx context.Context, key string, e events, from, to, clients int, pace func(context.Context) error, s *sent) error {
	var next atomic.Int64
	next.Store(int64(from))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte
			for {
				start := int(next.Add(batchSize)) - batchSize
				if start >= to || ctx.Err() != nil {
					return
				}
				if pace != nil {
					if err := pace(ctx); err != nil {
						return
					}
				}
				buf = e.batch(buf[:0], start, min(batchSize, to-start))
				var res ingestResult
				if err := h.do(ctx, "POST", "/v1/events/batch", key, buf, 202, &res); err != nil {
					once.Do(func() { first = err; cancel() })
					return
				}
				s.accepted.Add(int64(res.Accepted))
				s.duplicates.Add(int64(res.Duplicates))
				s.rejected.Add(int64(len(res.Rejected)))
			}
		}()
	}
	wg.Wait()
	return first
}

// parallel runs fn(i) for i in [0, n) on clients goroutines, stopping at
// the first error.
func parallel(ctx context.Context, n, clients int, fn func(ctx context.Context, i int) error) error {
	var next atomic.Int64
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(ctx, i); err != nil {
					once.Do(func() { first = err; cancel() })
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

// spread returns timestamps spreading n events evenly over [from, to).
func spread(from, to time.Time, n int) func(int) time.Time {
	span := to.Sub(from)
	return func(i int) time.Time {
		return from.Add(time.Duration(float64(span) * float64(i%max(n, 1)) / float64(max(n, 1))))
	}
}

// subscribeBatch is how many customers and subscriptions the bench
// creates in one transaction each.
const subscribeBatch = 1000

// subscribeAll creates a USD customer for each external id of custs and
// subscribes it to the bench plan from start, as POST /v1/customers and
// POST /v1/subscriptions would (the same validation, rows and
// subscription_start drafts with their events). With the server in this
// process it goes through the services in batches of subscribeBatch
// (customers.Service.CreateMany, invoicing.Service.SubscribeMany: one
// transaction of multi-row inserts each), clients batches at once; against
// an external server (--url), over HTTP, one request each.
func (h *harness) subscribeAll(ctx context.Context, t tenant, custs []string, start time.Time, clients int) error {
	if h.app == nil {
		return parallel(ctx, len(custs), clients, func(ctx context.Context, i int) error {
			if _, err := h.customer(ctx, t, custs[i]); err != nil {
				return err
			}
			_, err := h.subscribe(ctx, t, custs[i], start)
			return err
		})
	}
	svc := h.app.Services
	batches := (len(custs) + subscribeBatch - 1) / subscribeBatch
	return parallel(ctx, batches, clients, func(ctx context.Context, b int) error {
		exts := custs[b*subscribeBatch : min((b+1)*subscribeBatch, len(custs))]
		cins := make([]customers.CreateInput, len(exts))
		sins := make([]customers.CreateSubscriptionInput, len(exts))
		at := start.UTC()
		for i, ext := range exts {
			cins[i] = customers.CreateInput{ExternalID: ext, Currency: "USD"}
			sins[i] = customers.CreateSubscriptionInput{Customer: ext, Plan: planKey, StartAt: &at}
		}
		if _, err := svc.Customers.CreateMany(ctx, t.ID, cins); err != nil {
			return err
		}
		_, err := svc.Invoicing.SubscribeMany(ctx, t.ID, sins)
		return err
	})
}
