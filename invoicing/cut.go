package invoicing

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/customers/cycle"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/plans"
	"github.com/tallyhq/tally/plans/rating"
)

// A period is cut when a subscription ends inside it (a cancellation at a
// moment, or a plan change "now"). The invoice that closes a cut period
// [P.start, end) holds:
//   - P's usage up to the end;
//   - P's arrear fees for the days used;
//   - for a cancellation with prorate, a negative line crediting the unused
//     days of P's advance fee; for a plan change, always;
//   - for a plan change, the new plan's advance fee for the rest of its
//     first period (the change day counts for the new plan only).
// The day of a cancellation counts as used (cycle.SplitAtCancel).

// gridPeriod is the uncut period containing the instant before end.
func (c *composer) gridPeriod(cut domain.Period) domain.Period {
	p, _ := c.cyc.PeriodAt(cut.Start)
	return p
}

// isCut reports whether the subscription's end falls inside period p.
func (c *composer) isCut(p domain.Period) bool {
	end := c.sc.Subscription.EndsAt
	return end != nil && end.Equal(p.End) && !c.gridPeriod(p).End.Equal(*end)
}

// splitLines rates the fees of one cadence over period p at a fixed
// proration; credit negates them (a refund of days paid for but unused).
func (c *composer) splitLines(p domain.Period, cadence plans.Cadence, pr cycle.Proration, credit bool) ([]Line, error) {
	if pr.Days == 0 {
		return nil, nil
	}
	var out []Line
	for _, price := range c.sc.Plan.Prices {
		if price.Type != plans.Fixed || price.Cadence != cadence {
			continue
		}
		rp := rating.Proration{Days: pr.Days, OfDays: pr.OfDays}
		l, err := rating.Rate(price.Rating, decimal.NewFromInt(1), c.sc.Plan.Currency, rp)
		if err != nil {
			return nil, fmt.Errorf("rate price %s: %w", price.Key, err)
		}
		line := Line{PriceKey: price.Key, Type: plans.Fixed, Description: l.Description, Quantity: decimal.NewFromInt(1),
			Amount: l.Amount, Period: p}
		if !pr.Full() {
			line.Proration = &rp
		}
		if credit {
			line.Amount = l.Amount.Neg()
			line.Quantity = decimal.NewFromInt(-1)
			line.Description = "Credit for unused time: " + l.Description
		}
		out = append(out, line)
	}
	return out, nil
}

// cut builds the lines closing a cut period, usage counted until `until`
// (zero: up to the end).
func (c *composer) cut(ctx context.Context, cut domain.Period, until time.Time) ([]Line, error) {
	grid := c.gridPeriod(cut)
	full := c.cyc.FullPeriodAround(grid)
	end := cut.End
	sub := c.sc.Subscription
	loc := c.locAt(cut.Start)
	split := cycle.SplitAtCancel(grid, full, end, loc)
	if sub.EndReason == customers.EndPlanChange {
		split = cycle.SplitAtChange(grid, full, end, loc)
	}
	used := rating.Proration{Days: split.Used.Days, OfDays: split.Used.OfDays}
	lines, err := c.usageLines(ctx, cut, until, &used)
	if err != nil {
		return nil, err
	}
	arrear, err := c.splitLines(cut, plans.Arrear, split.Used, false)
	if err != nil {
		return nil, err
	}
	lines = append(lines, arrear...)
	// The advance fee of this period was billed in full unless the end was
	// known before it began (advanceFees): only then is nothing credited.
	if (sub.CancelProrate || sub.EndReason == customers.EndPlanChange) && !c.endKnownBefore(grid) {
		credit, err := c.splitLines(domain.Period{Start: end, End: grid.End}, plans.Advance, split.Unused, true)
		if err != nil {
			return nil, err
		}
		lines = append(lines, credit...)
	}
	return lines, nil
}

// cancel is cut for an invoice recomputed later (usage up to the end).
func (c *composer) cancel(ctx context.Context, p domain.Period) ([]Line, error) {
	return c.cut(ctx, p, time.Time{})
}

// planChangeLines adds the successor's opening fee to the cut lines.
func (s *Service) planChangeLines(ctx context.Context, c *composer, p domain.Period, until time.Time) ([]Line, error) {
	lines, err := c.cut(ctx, p, until)
	if err != nil {
		return nil, err
	}
	nc, err := s.successor(ctx, c)
	if err != nil {
		return nil, err
	}
	if nc == nil {
		return lines, nil
	}
	if _, ok := s.firstPeriod(nc); !ok {
		return lines, nil
	}
	opening, err := nc.opening()
	if err != nil {
		return nil, err
	}
	return append(lines, opening...), nil
}

// successor is the composer of the subscription's successor (a plan
// change), nil when it has none: c.next when read in advance, else read now.
func (s *Service) successor(ctx context.Context, c *composer) (*composer, error) {
	if c.nextKnown {
		return c.next, nil
	}
	next, err := s.customers.Successor(ctx, c.sc.Subscription.TenantID, c.sc.Subscription.ID)
	if err != nil {
		if domain.KindOf(err) == domain.KindNotFound {
			return nil, nil
		}
		return nil, err
	}
	nsc, err := s.customers.Load(ctx, next.TenantID, next.ID)
	if err != nil {
		return nil, err
	}
	return newComposer(ctx, c.usage, nsc) // the page's usage source, in a run
}

// cutPeriod is the last period cut short by the subscription's end,
// [its start, end); false when there is no end or it falls on a boundary.
func (c *composer) cutPeriod() (domain.Period, bool) {
	end := c.sc.Subscription.EndsAt
	if end == nil {
		return domain.Period{}, false
	}
	last, ok := c.cyc.PeriodAt(end.Add(-time.Microsecond))
	if !ok || last.End.Equal(*end) {
		return domain.Period{}, false
	}
	return domain.Period{Start: last.Start, End: *end}, true
}

// endInvoice drafts the invoice closing a subscription's cut last period,
// if its end lies inside a period and has passed by asOf.
func (s *Service) endInvoice(ctx context.Context, c *composer, asOf time.Time, have map[key]bool, runID string, store put) (created, existing int, err error) {
	sub := c.sc.Subscription
	if sub.EndsAt == nil || sub.EndsAt.After(asOf) || sub.EndReason == "" {
		return 0, 0, nil
	}
	cutP, ok := c.cutPeriod()
	if !ok {
		return 0, 0, nil // ended on a boundary: the cycle invoice closes it
	}
	reason := Reason(sub.EndReason)
	if have[key{reason, micros(cutP.Start)}] {
		return 0, 1, nil
	}
	made, err := s.draftCut(ctx, c, reason, cutP, runID, store)
	if err != nil || !made {
		return 0, 1, err
	}
	return 1, 0, nil
}

// draftCut computes and stores the invoice closing a cut period.
func (s *Service) draftCut(ctx context.Context, c *composer, reason Reason, p domain.Period, runID string, store put) (bool, error) {
	var lines []Line
	var err error
	if reason == PlanChange {
		lines, err = s.planChangeLines(ctx, c, p, time.Time{})
	} else {
		lines, err = c.cut(ctx, p, time.Time{})
	}
	if err != nil {
		return false, err
	}
	if lines == nil {
		lines = []Line{}
	}
	sub := c.sc.Subscription
	inv := Invoice{ID: domain.NewID(domain.PrefixInvoice), TenantID: sub.TenantID, Status: Draft, BillingReason: reason,
		CustomerID: sub.CustomerID, SubscriptionID: sub.ID, Currency: c.sc.Plan.Currency, Period: p, Lines: lines,
		RunID: runID, CreatedAt: s.clock.Now(ctx)}
	inv.total()
	return store(ctx, inv)
}
