package invoicing

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/customers/cycle"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/plans"
	"github.com/tallyhq/tally/plans/rating"
)

// Usage is where quantities come from (meters.Service).
type Usage interface {
	Quantity(ctx context.Context, tenantID string, m meters.Meter, customer string, extra meters.Filters, w meters.Window) (decimal.Decimal, error)
	ByIDs(ctx context.Context, tenantID string, ids []string) (map[string]meters.Meter, error)
}

// composer builds the lines of one subscription's invoices. It is not
// changed once built, so concurrent computations may share it (a balance
// frame does).
type composer struct {
	usage Usage
	sc    customers.Context
	cyc   cycle.Cycle
	ms    map[string]meters.Meter
	// next is the composer of the subscription's successor (a plan
	// change), read in advance when nextKnown; nil then means it has none.
	// When not known, successor reads it.
	next      *composer
	nextKnown bool
}

func newComposer(ctx context.Context, usage Usage, sc customers.Context) (*composer, error) {
	var ids []string
	for _, p := range sc.Plan.Prices {
		if p.MeterID != "" {
			ids = append(ids, p.MeterID)
		}
	}
	ms := map[string]meters.Meter{}
	if len(ids) > 0 {
		var err error
		if ms, err = usage.ByIDs(ctx, sc.Subscription.TenantID, ids); err != nil {
			return nil, err
		}
	}
	return &composer{usage: usage, sc: sc, cyc: sc.Cycle(), ms: ms}, nil
}

// locAt is the time zone whose days count in the period containing t (the
// customer's, as it was when that period was laid out).
func (c *composer) locAt(t time.Time) *time.Location { return c.cyc.LocationAt(t) }

// proration of a (possibly partial) period against the whole period it
// falls in; nil when whole.
func (c *composer) proration(p domain.Period) *rating.Proration {
	full := c.cyc.FullPeriodAround(p)
	pr := cycle.ProrationFor(p, full, c.locAt(p.Start))
	if pr.Full() {
		return nil
	}
	r := rating.Proration{Days: pr.Days, OfDays: pr.OfDays}
	return &r
}

// usageLines rates every usage price over p, counting events before until
// (zero: the whole period). A minimum is prorated like a fixed fee over a
// partial p; minimum, when not nil, is the share to use instead (a period
// cut by a cancellation or a plan change counts its days as the fees do).
func (c *composer) usageLines(ctx context.Context, p domain.Period, until time.Time, minimum *rating.Proration) ([]Line, error) {
	qs, err := c.quantities(ctx, p, until)
	if err != nil {
		return nil, err
	}
	var out []Line
	for i, pr := range c.sc.Plan.Prices {
		if pr.Type != plans.Usage {
			continue
		}
		m, q := c.ms[pr.MeterID], qs[i]
		// A minimum is prorated like a fixed fee over a partial period.
		var prorate rating.Proration
		var shown *rating.Proration
		if pr.Rating.MinimumAmount != nil {
			x := minimum
			if x == nil {
				x = c.proration(p)
			} else if x.Days == x.OfDays {
				x = nil
			}
			if x != nil {
				prorate, shown = *x, x
			}
		}
		l, err := rating.Rate(pr.Rating, q, c.sc.Plan.Currency, prorate)
		if err != nil {
			return nil, fmt.Errorf("rate price %s: %w", pr.Key, err)
		}
		if !l.MinimumApplied {
			shown = nil
		}
		out = append(out, Line{PriceKey: pr.Key, Type: plans.Usage, Meter: m.Key, Description: l.Description,
			Quantity: q, Amount: l.Amount, Period: p, Proration: shown, Tiers: l.Tiers, PriceUnit: pr.Rating.PriceUnit, UnitAmount: unitAmount(pr.Rating, l),
			ConversionRate: pr.Rating.ConversionRate, CreditsApplied: decimal.Zero, CreditUnits: decimal.Zero})
	}
	return out, nil
}

// feeLines rates the fixed fees of one cadence for period p, prorated when
// p is partial.
func (c *composer) feeLines(p domain.Period, cadence plans.Cadence) ([]Line, error) {
	var out []Line
	for _, pr := range c.sc.Plan.Prices {
		if pr.Type != plans.Fixed || pr.Cadence != cadence {
			continue
		}
		shown := c.proration(p)
		var prorate rating.Proration
		if shown != nil {
			prorate = *shown
		}
		l, err := rating.Rate(pr.Rating, decimal.NewFromInt(1), c.sc.Plan.Currency, prorate)
		if err != nil {
			return nil, fmt.Errorf("rate price %s: %w", pr.Key, err)
		}
		out = append(out, Line{PriceKey: pr.Key, Type: plans.Fixed, Description: l.Description,
			Quantity: decimal.NewFromInt(1), Amount: l.Amount, Period: p, Proration: shown, PriceUnit: pr.Rating.PriceUnit, UnitAmount: unitAmount(pr.Rating, l),
			ConversionRate: pr.Rating.ConversionRate, CreditsApplied: decimal.Zero, CreditUnits: decimal.Zero})
	}
	return out, nil
}

// nextPeriod is the period after p as the grid lays it out (not cut short
// by the subscription's end: advanceFees decides what of it is billed), or
// false when the subscription ends with p.
func (c *composer) nextPeriod(p domain.Period) (domain.Period, bool) {
	end := c.sc.Subscription.EndsAt
	if end != nil && !end.After(p.End) {
		return domain.Period{}, false
	}
	return c.cyc.Next(p), true
}

// endKnownBefore reports whether the subscription's end was asked for
// before period q began (pricing.md, "When the end of the last period is
// known").
func (c *composer) endKnownBefore(q domain.Period) bool {
	at := c.sc.Subscription.CanceledAt
	return c.sc.Subscription.EndsAt != nil && at != nil && at.Before(q.Start)
}

// advanceFees rates the advance fees paid for period q (a whole grid
// period, or the partial first one). When the subscription ends inside q
// and that end was asked for before q began, a cancellation with prorate
// bills the active days only (the day of the cancellation counts) and
// without prorate the whole fee; either way no credit follows on the end
// invoice. An end asked for later leaves q billed in full, and the end
// invoice credits the unused days. So the money never depends on when
// invoice runs happen.
func (c *composer) advanceFees(q domain.Period) ([]Line, error) {
	sub := c.sc.Subscription
	end := sub.EndsAt
	if end == nil || !end.After(q.Start) || !end.Before(q.End) || !c.endKnownBefore(q) || !sub.CancelProrate ||
		sub.EndReason != customers.EndCancel {
		return c.feeLines(q, plans.Advance)
	}
	full := c.cyc.FullPeriodAround(q)
	split := cycle.SplitAtCancel(q, full, *end, c.locAt(q.Start))
	return c.splitLines(domain.Period{Start: q.Start, End: *end}, plans.Advance, split.Used, false)
}

// closing builds the lines of the invoice that closes p: p's usage up to
// until, p's arrear fees, and the next period's advance fees.
func (c *composer) closing(ctx context.Context, p domain.Period, until time.Time) ([]Line, error) {
	lines, err := c.usageLines(ctx, p, until, nil)
	if err != nil {
		return nil, err
	}
	arrear, err := c.feeLines(p, plans.Arrear)
	if err != nil {
		return nil, err
	}
	lines = append(lines, arrear...)
	if n, ok := c.nextPeriod(p); ok {
		adv, err := c.advanceFees(n)
		if err != nil {
			return nil, err
		}
		lines = append(lines, adv...)
	}
	return lines, nil
}

// opening builds the lines of the subscription_start invoice: the first
// period's advance fees, prorated over a partial first period (and, see
// advanceFees, over its active days when its end was known at its start).
func (c *composer) opening() ([]Line, error) {
	return c.advanceFees(c.cyc.First())
}
