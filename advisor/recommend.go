package advisor

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/plans"
)

// The bases of a recommendation.
const (
	// BasisLastPeriod is the last closed period's quantities.
	BasisLastPeriod = "last_period"
	// BasisCurrentProjected is the current period's quantities so far,
	// projected linearly to its end by elapsed time.
	BasisCurrentProjected = "current_projected"
)

// RecommendInput asks for a customer's recommendation.
type RecommendInput struct {
	CustomerID string
	// Subscription picks one when the customer has several active; "" is
	// its only active subscription.
	Subscription         string
	Basis                string
	IncludeExternalCosts bool
}

// Recommendation compares every active plan of the current plan's currency
// and interval on the customer's usage of one period.
type Recommendation struct {
	Customer     customers.Customer
	Subscription customers.Subscription
	Current      plans.Plan
	Basis        string
	// Period is the period measured: the last closed one, or the current one.
	Period domain.Period
	// AsOf is the instant usage was counted to (the period's end for
	// last_period, now for current_projected).
	AsOf time.Time
	// Measured is the usage counted in [Period.Start, AsOf); Usage is what
	// the plans are quoted on (Measured × Factor when projected).
	Measured Usage
	Usage    Usage
	// Factor is period length ÷ elapsed time (1 for last_period), exact to
	// 12 places; Projection says how in words.
	Factor     decimal.Decimal
	Projection string
	Comparison Comparison
	// CurrentTotal is what the current plan costs on Usage; Saving is
	// CurrentTotal minus the cheapest plan's (zero when it is the cheapest).
	CurrentTotal decimal.Decimal
	Saving       decimal.Decimal
	// Cheaper and Dearer are the other plans costing less or more than the
	// current one, each with its difference (positive: saved, or extra).
	Cheaper []PlanDelta
	Dearer  []PlanDelta
	Same    []string
}

// PlanDelta is a plan's total and how far it is from the current plan's.
type PlanDelta struct {
	Plan       string
	Total      decimal.Decimal
	Difference decimal.Decimal
}

// Recommend compares the plans on the customer's usage. The meters
// measured are those of every compared plan's usage prices (the current
// plan's and the candidates'), each unfiltered; the candidates are every
// plan that is not archived, in the current plan's currency and interval,
// the current plan among them.
func (s *Service) Recommend(ctx context.Context, tenantID string, in RecommendInput) (Recommendation, error) {
	h, err := s.hist()
	if err != nil {
		return Recommendation{}, err
	}
	if in.Basis == "" {
		in.Basis = BasisLastPeriod
	}
	if in.Basis != BasisLastPeriod && in.Basis != BasisCurrentProjected {
		var p domain.Problems
		p.Add("basis", "unknown basis %q: use %q or %q", in.Basis, BasisLastPeriod, BasisCurrentProjected)
		return Recommendation{}, p.Err()
	}
	cust, err := h.Subscribers.Get(ctx, tenantID, in.CustomerID)
	if err != nil {
		return Recommendation{}, err
	}
	now := h.Clock.Now(ctx)
	sc, err := s.currentSubscription(ctx, h, tenantID, cust, in.Subscription, now)
	if err != nil {
		return Recommendation{}, err
	}
	out := Recommendation{Customer: cust, Subscription: sc.Subscription, Current: sc.Plan, Basis: in.Basis, Factor: decimal.NewFromInt(1)}
	cur, ok := sc.PeriodAt(now)
	if !ok {
		return Recommendation{}, domain.Conflict("no_period", "subscription %s has no period at %s", sc.Subscription.ID, now.UTC().Format(time.RFC3339))
	}
	cyc := sc.Cycle()
	switch in.Basis {
	case BasisLastPeriod:
		if !cur.Start.After(sc.Subscription.BillingStart()) {
			return Recommendation{}, domain.Conflict("no_closed_period", "subscription %s has no closed period yet: its first period runs %s to %s; ask for basis=current_projected",
				sc.Subscription.ID, cur.Start.Format(time.RFC3339), cur.End.Format(time.RFC3339))
		}
		last, _ := sc.PeriodAt(cur.Start.Add(-time.Nanosecond))
		out.Period, out.AsOf = last, last.End
		out.Projection = fmt.Sprintf("none: the quantities of the last closed period, %s to %s", last.Start.Format(time.RFC3339), last.End.Format(time.RFC3339))
	default:
		out.Period, out.AsOf = cur, now
		elapsed, length := now.Sub(cur.Start), cur.End.Sub(cur.Start)
		if elapsed <= 0 {
			return Recommendation{}, domain.Conflict("period_just_started", "the current period of subscription %s starts now: nothing to project", sc.Subscription.ID)
		}
		out.Factor = decimal.NewFromInt(int64(length/time.Second)).DivRound(decimal.NewFromInt(int64(elapsed/time.Second)), 12)
		if elapsed < time.Second {
			out.Factor = decimal.NewFromInt(int64(length)).DivRound(decimal.NewFromInt(int64(elapsed)), 12)
		}
		out.Projection = fmt.Sprintf("linear by elapsed time: the quantities from %s to %s (%s of the period %s to %s) × %s (period length ÷ elapsed time, in seconds, to 12 places)",
			cur.Start.Format(time.RFC3339), now.UTC().Format(time.RFC3339), elapsed.Round(time.Second), cur.Start.Format(time.RFC3339), cur.End.Format(time.RFC3339), out.Factor)
	}
	cands, err := s.candidates(ctx, h, tenantID, sc.Plan)
	if err != nil {
		return Recommendation{}, err
	}
	keys := usageMeters(cands...)
	ms, err := h.Quantities.ByKeys(ctx, tenantID, keys)
	if err != nil {
		return Recommendation{}, err
	}
	w := meters.Window{Period: out.Period, Until: out.AsOf, Location: cyc.LocationAt(out.Period.Start)}
	if out.Measured, err = measure(ctx, h, tenantID, cust.ExternalID, ms, keys, w); err != nil {
		return Recommendation{}, err
	}
	out.Usage = Usage{}
	for k, q := range out.Measured {
		out.Usage[k] = q.Mul(out.Factor).Round(12)
	}
	names := make([]string, len(cands))
	for i, p := range cands {
		names[i] = p.Key
	}
	costs, err := s.meterCosts(ctx, tenantID, keys)
	if err != nil {
		return Recommendation{}, err
	}
	if out.Comparison, err = compare(cands, CompareInput{Usage: out.Usage, Plans: names, IncludeExternalCosts: in.IncludeExternalCosts, costs: costs}); err != nil {
		return Recommendation{}, err
	}
	for _, q := range out.Comparison.Quotes {
		if q.Plan.ID == sc.Plan.ID {
			out.CurrentTotal = q.Compared
		}
	}
	out.Cheaper, out.Dearer, out.Same = []PlanDelta{}, []PlanDelta{}, []string{}
	out.Saving = decimal.Zero
	for _, q := range out.Comparison.Quotes {
		if q.Plan.ID == sc.Plan.ID {
			continue
		}
		switch d := out.CurrentTotal.Sub(q.Compared); d.Sign() {
		case 1:
			out.Cheaper = append(out.Cheaper, PlanDelta{Plan: q.Plan.Key, Total: q.Compared, Difference: d})
			if d.GreaterThan(out.Saving) {
				out.Saving = d
			}
		case -1:
			out.Dearer = append(out.Dearer, PlanDelta{Plan: q.Plan.Key, Total: q.Compared, Difference: d.Neg()})
		default:
			out.Same = append(out.Same, q.Plan.Key)
		}
	}
	return out, nil
}

// currentSubscription is the customer's subscription active (or in trial)
// at now: the one named, or its only one.
func (s *Service) currentSubscription(ctx context.Context, h *History, tenantID string, cust customers.Customer, id string, now time.Time) (customers.Context, error) {
	var live []customers.Subscription
	page := domain.Page{Limit: 100}
	for {
		l, err := h.Subscribers.ListSubscriptions(ctx, tenantID, customers.SubscriptionQuery{CustomerID: cust.ID}, page)
		if err != nil {
			return customers.Context{}, err
		}
		for _, sub := range l.Data {
			if st := sub.StatusAt(now); (st == customers.Active || st == customers.Trialing) && (id == "" || sub.ID == id) {
				live = append(live, sub)
			}
		}
		if l.NextCursor == "" {
			break
		}
		page.Cursor = l.NextCursor
	}
	switch {
	case len(live) == 0 && id != "":
		return customers.Context{}, domain.NotFound("subscription", id)
	case len(live) == 0:
		return customers.Context{}, domain.Conflict("no_subscription", "customer %s has no active subscription", cust.ID)
	case len(live) > 1:
		return customers.Context{}, domain.Conflict("several_subscriptions", "customer %s has %d active subscriptions: name one with ?subscription=", cust.ID, len(live))
	}
	scs, err := h.Subscribers.Contexts(ctx, tenantID, live)
	if err != nil {
		return customers.Context{}, err
	}
	return scs[0], nil
}

// candidates are the plans not archived in cur's currency and interval,
// oldest first (cur among them).
func (s *Service) candidates(ctx context.Context, h *History, tenantID string, cur plans.Plan) ([]plans.Plan, error) {
	var out []plans.Plan
	page := domain.Page{Limit: 100}
	found := false
	for {
		l, err := h.Plans.List(ctx, tenantID, page, false)
		if err != nil {
			return nil, err
		}
		for _, p := range l.Data {
			if p.Currency == cur.Currency && p.Interval == cur.Interval {
				out = append(out, p)
				found = found || p.ID == cur.ID
			}
		}
		if l.NextCursor == "" {
			break
		}
		page.Cursor = l.NextCursor
	}
	if !found { // an archived current plan is still compared
		out = append([]plans.Plan{cur}, out...)
	}
	return out, nil
}
