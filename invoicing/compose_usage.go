package invoicing

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/plans"
)

// quantities reads the quantity of every usage price of the plan over p
// (events before until; zero: the whole period), by price index. The
// reads are independent, so several are made at once: a live balance or
// preview after an ingestion waits for the slowest read, not for their
// sum (on SQLite's one connection they simply queue). A price whose meter
// is unknown is an error, as is any failed read (the first one's).
func (c *composer) quantities(ctx context.Context, p domain.Period, until time.Time) (map[int]decimal.Decimal, error) {
	type read struct {
		i int
		m meters.Meter
	}
	var reads []read
	for i, pr := range c.sc.Plan.Prices {
		if pr.Type != plans.Usage {
			continue
		}
		m, ok := c.ms[pr.MeterID]
		if !ok {
			return nil, fmt.Errorf("price %s: meter %s not found", pr.Key, pr.MeterID)
		}
		reads = append(reads, read{i, m})
	}
	out := make(map[int]decimal.Decimal, len(reads))
	w := meters.Window{Period: p, Until: until, Location: c.locAt(p.Start)}
	quantity := func(r read) (decimal.Decimal, error) {
		return c.usage.Quantity(ctx, c.sc.Subscription.TenantID, r.m, c.sc.Customer.ExternalID, c.sc.Plan.Prices[r.i].Filters, w)
	}
	if len(reads) == 1 {
		q, err := quantity(reads[0])
		out[reads[0].i] = q
		return out, err
	}
	qs := make([]decimal.Decimal, len(reads))
	errs := make([]error, len(reads))
	var wg sync.WaitGroup
	for k, r := range reads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			qs[k], errs[k] = quantity(r)
		}()
	}
	wg.Wait()
	for k, r := range reads {
		if errs[k] != nil {
			return nil, errs[k]
		}
		out[r.i] = qs[k]
	}
	return out, nil
}
