package advisor

import (
	"context"
	"fmt"
	"sort"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/plans"
)

// CompareInput is a comparison request: plan keys, a usage per meter key.
type CompareInput struct {
	Usage                Usage
	Plans                []string
	IncludeExternalCosts bool
	// Normalize is "" (plans must share an interval) or "month".
	Normalize string
	// costs are the meters' costs to serve, by key (margins).
	costs map[string]meters.Cost
}

// Comparison is the answer: one Quote per plan, in the order asked, and the
// cheapest plans (by Total; ties all listed, in the order asked).
type Comparison struct {
	Currency             domain.Currency
	Normalize            string
	IncludeExternalCosts bool
	Quotes               []Quoted
	Cheapest             []string
}

// Quoted is a Quote with, when normalised, its amounts per month.
type Quoted struct {
	Quote
	// Months is how many months one period of the plan counts for ("1",
	// "3", "12/52"), when normalised; "" otherwise.
	Months string
	// Compared is the amount the plans are ranked by: Total, or Total per
	// month when normalised (rounded to the currency).
	Compared decimal.Decimal
}

// Compare loads the plans and compares them on in.Usage. Unknown plans
// (plans[i]) and meters (usage.<key>) name themselves; plans in different
// currencies, or of different intervals without Normalize "month", are a
// validation error that says why.
func (s *Service) Compare(ctx context.Context, tenantID string, in CompareInput) (Comparison, error) {
	list, err := s.load(ctx, tenantID, in.Plans, in.Usage, in.Normalize)
	if err != nil {
		return Comparison{}, err
	}
	if in.costs, err = s.meterCosts(ctx, tenantID, keysOf(in.Usage)); err != nil {
		return Comparison{}, err
	}
	return compare(list, in)
}

// load reads the plans by key and checks the request against them.
func (s *Service) load(ctx context.Context, tenantID string, keys []string, u Usage, normalize string) ([]plans.Plan, error) {
	var p domain.Problems
	if len(keys) == 0 {
		p.Add("plans", "name at least one plan key")
	}
	if normalize != "" && normalize != NormalizeMonth {
		p.Add("normalize", "unknown normalisation %q: the only one is \"month\"", normalize)
	}
	var list []plans.Plan
	seen := map[string]bool{}
	for i, k := range keys {
		if seen[k] {
			p.Add(fmt.Sprintf("plans[%d]", i), "plan %q is listed twice", k)
			continue
		}
		seen[k] = true
		pl, err := s.catalog.GetByKey(ctx, tenantID, k)
		if e, ok := domain.AsError(err); ok && e.Kind == domain.KindNotFound {
			p.Add(fmt.Sprintf("plans[%d]", i), "unknown plan %q", k)
			continue
		} else if err != nil {
			return nil, err
		}
		list = append(list, pl)
	}
	if err := s.checkMeters(ctx, tenantID, u, &p); err != nil {
		return nil, err
	}
	checkComparable(list, normalize, &p)
	return list, p.Err()
}

// checkMeters reports every usage key that is not a meter of the tenant,
// and negative quantities.
func (s *Service) checkMeters(ctx context.Context, tenantID string, u Usage, p *domain.Problems) error {
	keys := make([]string, 0, len(u))
	for k := range u {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) == 0 {
		return nil
	}
	ms, err := s.meters.MetersByKey(ctx, tenantID, keys)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if _, ok := ms[k]; !ok {
			p.Add("usage."+k, "unknown meter %q", k)
		} else if u[k].Sign() < 0 {
			p.Add("usage."+k, "must not be negative")
		}
	}
	return nil
}

// checkComparable: one currency always; one interval unless normalised.
func checkComparable(list []plans.Plan, normalize string, p *domain.Problems) {
	if len(list) == 0 {
		return
	}
	first := list[0]
	for i, pl := range list[1:] {
		if pl.Currency != first.Currency {
			p.Add(fmt.Sprintf("plans[%d]", i+1), "plan %q is in %s and plan %q in %s: plans are compared in one currency only", pl.Key, pl.Currency, first.Key, first.Currency)
		}
		if pl.Interval != first.Interval && normalize == "" {
			p.Add(fmt.Sprintf("plans[%d]", i+1), "plan %q bills per %s and plan %q per %s: set \"normalize\": \"month\" to compare them per month (week ×52/12, quarter ÷3, year ÷12)", pl.Key, pl.Interval, first.Key, first.Interval)
		}
	}
}

// compare quotes each plan and picks the cheapest.
func compare(list []plans.Plan, in CompareInput) (Comparison, error) {
	out := Comparison{Normalize: in.Normalize, IncludeExternalCosts: in.IncludeExternalCosts, Quotes: []Quoted{}, Cheapest: []string{}}
	if len(list) > 0 {
		out.Currency = list[0].Currency
	}
	for _, pl := range list {
		u := in.Usage
		if in.Normalize == NormalizeMonth {
			u = toPeriod(in.Usage, pl.Interval)
		}
		q, err := QuotePlan(pl, u, in.IncludeExternalCosts)
		if err != nil {
			return Comparison{}, err
		}
		q.CostLines, q.ServeCost = serveCost(u, in.costs, pl.Currency)
		q.Margin = q.Subtotal.Sub(q.ServeCost)
		qd := Quoted{Quote: q, Compared: q.Total}
		if in.Normalize == NormalizeMonth {
			num, den := monthsPer(pl.Interval)
			qd.Months = fmt.Sprint(num)
			if den != 1 {
				qd.Months += fmt.Sprintf("/%d", den)
			}
			qd.Compared = toMonth(q.Total, pl.Interval, pl.Currency.MinorUnits())
		}
		out.Quotes = append(out.Quotes, qd)
	}
	out.Cheapest = cheapest(out.Quotes)
	return out, nil
}

func cheapest(qs []Quoted) []string {
	var best []string
	var min decimal.Decimal
	for i, q := range qs {
		switch c := q.Compared.Cmp(min); {
		case i == 0 || c < 0:
			min, best = q.Compared, []string{q.Plan.Key}
		case c == 0:
			best = append(best, q.Plan.Key)
		}
	}
	if best == nil {
		return []string{}
	}
	return best
}
