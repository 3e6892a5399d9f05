package invoicing

import (
	"context"
	"sync"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/meters"
)

// bulkUsage is a Usage that answers many quantities at once
// (meters.Service.Quantities).
type bulkUsage interface {
	Quantities(ctx context.Context, tenantID string, asks []meters.QuantityAsk) ([]decimal.Decimal, error)
}

// pageUsage is the Usage of one page of an invoice run. The page's drafts
// are composed twice: first while it records what they ask (every answer
// zero), then, after fetch has read all of it at once, from those answers.
// The page's meters are read once. A quantity it did not read in advance is
// read when asked, so the second composition is always what drafting one
// subscription at a time computes. It is safe for concurrent use: a
// composer reads its prices' quantities at once (composer.quantities).
type pageUsage struct {
	mu        sync.Mutex // guards recording, asks, index and answers
	base      Usage
	tenantID  string
	meters    map[string]meters.Meter
	recording bool
	asks      []meters.QuantityAsk
	index     map[askKey]int
	answers   []decimal.Decimal
}

// askKey identifies a quantity: meter, customer, filter set and window.
type askKey struct {
	meter, customer, filters string
	start, end               int64
	loc                      string
}

func keyOf(m meters.Meter, customer string, f meters.Filters, w meters.Window) askKey {
	k := askKey{meter: m.ID, customer: customer, filters: f.Key(), start: w.Period.Start.UnixMicro(), end: w.End().UnixMicro()}
	if w.Location != nil {
		k.loc = w.Location.String()
	}
	return k
}

// newPageUsage reads the meters of the page's plans at once and starts
// recording.
func newPageUsage(ctx context.Context, base Usage, tenantID string, scs []customers.Context) (*pageUsage, error) {
	seen := map[string]bool{}
	var ids []string
	for _, sc := range scs {
		for _, p := range sc.Plan.Prices {
			if p.MeterID != "" && !seen[p.MeterID] {
				seen[p.MeterID] = true
				ids = append(ids, p.MeterID)
			}
		}
	}
	ms := map[string]meters.Meter{}
	if len(ids) > 0 {
		var err error
		if ms, err = base.ByIDs(ctx, tenantID, ids); err != nil {
			return nil, err
		}
	}
	return &pageUsage{base: base, tenantID: tenantID, meters: ms, recording: true, index: map[askKey]int{}}, nil
}

// ByIDs answers from the page's meters, reading any other through base.
func (u *pageUsage) ByIDs(ctx context.Context, tenantID string, ids []string) (map[string]meters.Meter, error) {
	out := make(map[string]meters.Meter, len(ids))
	var missing []string
	for _, id := range ids {
		if m, ok := u.meters[id]; ok && tenantID == u.tenantID {
			out[id] = m
		} else {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	more, err := u.base.ByIDs(ctx, tenantID, missing)
	if err != nil {
		return nil, err
	}
	for id, m := range more {
		out[id] = m
	}
	return out, nil
}

// Quantity records the ask and answers zero while recording; afterwards it
// answers what fetch read, or reads through base what was not asked then.
func (u *pageUsage) Quantity(ctx context.Context, tenantID string, m meters.Meter, customer string, extra meters.Filters, w meters.Window) (decimal.Decimal, error) {
	k := keyOf(m, customer, extra, w)
	if tenantID != u.tenantID {
		return u.base.Quantity(ctx, tenantID, m, customer, extra, w)
	}
	u.mu.Lock()
	if u.recording {
		if _, ok := u.index[k]; !ok {
			u.index[k] = len(u.asks)
			u.asks = append(u.asks, meters.QuantityAsk{Meter: m, Customer: customer, Filters: extra, Window: w})
		}
		u.mu.Unlock()
		return decimal.Zero, nil
	}
	i, ok := u.index[k]
	var q decimal.Decimal
	if ok {
		q = u.answers[i]
	}
	u.mu.Unlock()
	if ok {
		return q, nil
	}
	return u.base.Quantity(ctx, tenantID, m, customer, extra, w)
}

// fetch reads every recorded ask at once (one at a time if base cannot)
// and stops recording.
func (u *pageUsage) fetch(ctx context.Context) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.recording = false
	if b, ok := u.base.(bulkUsage); ok {
		answers, err := b.Quantities(ctx, u.tenantID, u.asks)
		if err != nil {
			return err
		}
		u.answers = answers
		return nil
	}
	u.answers = make([]decimal.Decimal, len(u.asks))
	for i, a := range u.asks {
		q, err := u.base.Quantity(ctx, u.tenantID, a.Meter, a.Customer, a.Filters, a.Window)
		if err != nil {
			return err
		}
		u.answers[i] = q
	}
	return nil
}
