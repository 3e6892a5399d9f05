package advisor

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/invoicing"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/plans"
)

// BacktestInput re-prices the subscribers of Against (a plan key), or only
// those of Customers (ids or external ids), over the whole periods inside
// [From, To).
type BacktestInput struct {
	Against   string
	From, To  time.Time
	Customers []string
}

// BacktestRow is one subscription of Against: what its stored invoices
// charged for its whole periods inside the window, and what the plan would
// have charged for the same quantities.
type BacktestRow struct {
	CustomerID         string
	CustomerExternalID string
	SubscriptionID     string
	Periods            int
	Currency           domain.Currency
	Had                decimal.Decimal
	Would              decimal.Decimal
	// Difference is Would − Had: positive, the customer would pay more.
	Difference decimal.Decimal
	// Cost is what serving the same usage cost the tenant (meters'
	// cost_per_unit in the plan's currency, on the meters the two plans
	// price), the same under both plans; the margins are Had − Cost and
	// Would − Cost.
	Cost                   decimal.Decimal
	MarginHad, MarginWould decimal.Decimal
}

// BacktestTotals sums the rows.
type BacktestTotals struct {
	Plan, Against        plans.Plan
	From, To             time.Time
	Subscriptions        int
	Periods              int
	Had, Would           decimal.Decimal
	Cost                 decimal.Decimal
	MarginHad            decimal.Decimal
	MarginWould          decimal.Decimal
	RevenueDelta         decimal.Decimal
	PayMore, PayLess     int
	PaySame              int
	P50Change, P95Change decimal.Decimal
}

// backtestPage is how many subscriptions are read, and held, at a time.
const backtestPage = 100

// Backtest re-prices, under plan planID (an id or a key), the subscribers of
// in.Against over every whole period of theirs inside [From, To): Had sums
// the lines of their stored invoices (any status but void) for those
// periods, before credits; Would quotes the plan (QuotePlan, no external
// costs) on the same quantities, each meter measured unfiltered over the
// period as an invoice does. Periods cut by a start, a trial, a
// cancellation or a plan change are left out. Rows go to emit as they are
// computed, a page of subscriptions (backtestPage) at a time, in order;
// within a page, History.Workers subscriptions are re-priced at once. Memory
// is bounded by the page, except that the totals keep one difference per
// subscription (for p50/p95, by nearest rank). Reads only.
func (s *Service) Backtest(ctx context.Context, tenantID, planID string, in BacktestInput, emit func(BacktestRow) error) (BacktestTotals, error) {
	h, err := s.hist()
	if err != nil {
		return BacktestTotals{}, err
	}
	var p domain.Problems
	plan, err := s.planByRef(ctx, tenantID, planID)
	if err != nil {
		return BacktestTotals{}, err
	}
	var against plans.Plan
	if in.Against == "" {
		p.Add("against", "name the plan whose subscribers to re-price")
	} else if against, err = s.catalog.GetByKey(ctx, tenantID, in.Against); err != nil {
		if e, ok := domain.AsError(err); ok && e.Kind == domain.KindNotFound {
			p.Add("against", "unknown plan %q", in.Against)
		} else {
			return BacktestTotals{}, err
		}
	}
	if in.From.IsZero() {
		p.Add("from", "is required")
	}
	if in.To.IsZero() {
		p.Add("to", "is required")
	} else if !in.To.After(in.From) {
		p.Add("to", "must be after from")
	}
	if against.ID != "" {
		if plan.Currency != against.Currency {
			p.Add("against", "plan %q is in %s and plan %q in %s: a backtest re-prices in one currency", plan.Key, plan.Currency, against.Key, against.Currency)
		}
		if plan.Interval != against.Interval {
			p.Add("against", "plan %q bills per %s and plan %q per %s: a backtest re-prices the same periods", plan.Key, plan.Interval, against.Key, against.Interval)
		}
	}
	var custIDs []string
	for i, c := range in.Customers {
		cu, err := h.Subscribers.Get(ctx, tenantID, c)
		if e, ok := domain.AsError(err); ok && e.Kind == domain.KindNotFound {
			cu, err = h.Subscribers.GetByExternalID(ctx, tenantID, c)
		}
		if e, ok := domain.AsError(err); ok && e.Kind == domain.KindNotFound {
			p.Add(fmt.Sprintf("customers[%d]", i), "unknown customer %q", c)
			continue
		} else if err != nil {
			return BacktestTotals{}, err
		}
		custIDs = append(custIDs, cu.ID)
	}
	if err := p.Err(); err != nil {
		return BacktestTotals{}, err
	}
	keys := usageMeters(plan, against)
	ms, err := h.Quantities.ByKeys(ctx, tenantID, keys)
	if err != nil {
		return BacktestTotals{}, err
	}
	costs, err := s.meterCosts(ctx, tenantID, keys)
	if err != nil {
		return BacktestTotals{}, err
	}
	tot := BacktestTotals{Plan: plan, Against: against, From: in.From, To: in.To, Had: decimal.Zero, Would: decimal.Zero, Cost: decimal.Zero}
	var diffs []decimal.Decimal
	run := func(q customers.SubscriptionQuery) error {
		page := domain.Page{Limit: backtestPage}
		for {
			l, err := h.Subscribers.ListSubscriptions(ctx, tenantID, q, page)
			if err != nil {
				return err
			}
			scs, err := h.Subscribers.Contexts(ctx, tenantID, l.Data)
			if err != nil {
				return err
			}
			rows, err := eachOf(ctx, h.Workers, scs, func(ctx context.Context, sc customers.Context) (BacktestRow, error) {
				return backtestOne(ctx, h, tenantID, sc, plan, ms, keys, costs, in.From, in.To)
			})
			if err != nil {
				return err
			}
			for _, row := range rows {
				if row.Periods == 0 {
					continue
				}
				tot.Subscriptions++
				tot.Periods += row.Periods
				tot.Had, tot.Would, tot.Cost = tot.Had.Add(row.Had), tot.Would.Add(row.Would), tot.Cost.Add(row.Cost)
				switch row.Difference.Sign() {
				case 1:
					tot.PayMore++
				case -1:
					tot.PayLess++
				default:
					tot.PaySame++
				}
				diffs = append(diffs, row.Difference)
				if emit != nil {
					if err := emit(row); err != nil {
						return err
					}
				}
			}
			if l.NextCursor == "" {
				return nil
			}
			page.Cursor = l.NextCursor
		}
	}
	if len(in.Customers) == 0 {
		err = run(customers.SubscriptionQuery{PlanID: against.ID})
	} else {
		for _, id := range custIDs {
			if err = run(customers.SubscriptionQuery{PlanID: against.ID, CustomerID: id}); err != nil {
				break
			}
		}
	}
	if err != nil {
		return BacktestTotals{}, err
	}
	tot.RevenueDelta = tot.Would.Sub(tot.Had)
	tot.MarginHad, tot.MarginWould = tot.Had.Sub(tot.Cost), tot.Would.Sub(tot.Cost)
	tot.P50Change, tot.P95Change = nearestRank(diffs, 50), nearestRank(diffs, 95)
	return tot, nil
}

// planByRef reads a plan by id, or else by key.
func (s *Service) planByRef(ctx context.Context, tenantID, ref string) (plans.Plan, error) {
	pl, err := s.catalog.Get(ctx, tenantID, ref)
	if e, ok := domain.AsError(err); ok && e.Kind == domain.KindNotFound {
		return s.catalog.GetByKey(ctx, tenantID, ref)
	}
	return pl, err
}

// nearestRank is the p-th percentile of xs by nearest rank: the
// ⌈p/100 × n⌉-th smallest (zero when xs is empty). It sorts xs.
func nearestRank(xs []decimal.Decimal, p int) decimal.Decimal {
	if len(xs) == 0 {
		return decimal.Zero
	}
	sort.Slice(xs, func(i, j int) bool { return xs[i].LessThan(xs[j]) })
	rank := (p*len(xs) + 99) / 100
	if rank < 1 {
		rank = 1
	}
	return xs[rank-1]
}

// backtestOne re-prices one subscription's whole periods inside [from, to).
func backtestOne(ctx context.Context, h *History, tenantID string, sc customers.Context, plan plans.Plan, ms map[string]meters.Meter, keys []string, costs map[string]meters.Cost, from, to time.Time) (BacktestRow, error) {
	sub := sc.Subscription
	row := BacktestRow{CustomerID: sub.CustomerID, CustomerExternalID: sc.Customer.ExternalID, SubscriptionID: sub.ID, Currency: plan.Currency, Had: decimal.Zero, Would: decimal.Zero, Cost: decimal.Zero}
	cyc := sc.Cycle()
	start := from
	if b := sub.BillingStart(); b.After(start) {
		start = b
	}
	p, ok := sc.PeriodAt(start)
	if !ok {
		return row, nil
	}
	var periods []domain.Period
	for ; !p.End.After(to); p = cyc.Next(p) {
		if sub.EndsAt != nil && sub.EndsAt.Before(p.End) {
			break
		}
		if full := cyc.FullPeriodAround(p); p.Start.Before(start) || !full.Start.Equal(p.Start) || !full.End.Equal(p.End) {
			continue
		}
		periods = append(periods, p)
	}
	if len(periods) == 0 {
		return row, nil
	}
	had, err := billedPerPeriod(ctx, h, tenantID, sub.ID, periods[0].Start, periods[len(periods)-1].End)
	if err != nil {
		return row, err
	}
	for _, p := range periods {
		u, err := measure(ctx, h, tenantID, sc.Customer.ExternalID, ms, keys, meters.Window{Period: p, Location: cyc.LocationAt(p.Start)})
		if err != nil {
			return row, err
		}
		q, err := QuotePlan(plan, u, false)
		if err != nil {
			return row, err
		}
		row.Periods++
		row.Had = row.Had.Add(had[p.Start.UTC()])
		row.Would = row.Would.Add(q.Subtotal)
		_, cost := serveCost(u, costs, plan.Currency)
		row.Cost = row.Cost.Add(cost)
	}
	row.Difference = row.Would.Sub(row.Had)
	row.MarginHad, row.MarginWould = row.Had.Sub(row.Cost), row.Would.Sub(row.Cost)
	return row, nil
}

// billedPerPeriod sums the lines of a subscription's stored invoices that
// are not void, by the start of the period each line bills, for lines of
// periods inside [from, to).
func billedPerPeriod(ctx context.Context, h *History, tenantID, subID string, from, to time.Time) (map[time.Time]decimal.Decimal, error) {
	out := map[time.Time]decimal.Decimal{}
	page := domain.Page{Limit: 100}
	for {
		l, err := h.Invoices.List(ctx, tenantID, invoicing.Query{SubscriptionID: subID}, page)
		if err != nil {
			return nil, err
		}
		for _, inv := range l.Data {
			if inv.Status == invoicing.Void {
				continue
			}
			for _, ln := range inv.Lines {
				if ln.Period.Start.Before(from) || !ln.Period.Start.Before(to) {
					continue
				}
				k := ln.Period.Start.UTC()
				out[k] = out[k].Add(ln.Amount)
			}
		}
		if l.NextCursor == "" {
			return out, nil
		}
		page.Cursor = l.NextCursor
	}
}
