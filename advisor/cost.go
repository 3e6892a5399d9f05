package advisor

import (
	"context"
	"sort"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/meters"
)

// meterCosts are the declared costs of the meters named in u (none without
// a history to read meters from).
func (s *Service) meterCosts(ctx context.Context, tenantID string, keys []string) (map[string]meters.Cost, error) {
	if s.history == nil || len(keys) == 0 {
		return nil, nil
	}
	ms, err := s.history.Quantities.ByKeys(ctx, tenantID, keys)
	if err != nil {
		return nil, err
	}
	out := map[string]meters.Cost{}
	for k, m := range ms {
		if m.Cost != nil {
			out[k] = *m.Cost
		}
	}
	return out, nil
}

func keysOf(u Usage) []string {
	out := make([]string, 0, len(u))
	for k := range u {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// serveCost is what serving u costs the tenant: a line per meter of u that
// declares a cost, each rounded once; the sum counts only the lines in cur
// (a cost in another currency is listed, not converted).
func serveCost(u Usage, costs map[string]meters.Cost, cur domain.Currency) ([]CostLine, decimal.Decimal) {
	lines, sum := []CostLine{}, decimal.Zero
	for _, k := range keysOf(u) {
		c, ok := costs[k]
		if !ok {
			continue
		}
		amount := c.Currency.Round(u[k].Mul(c.PerUnit))
		lines = append(lines, CostLine{Meter: k, Quantity: u[k], PerUnit: c.PerUnit, Currency: c.Currency, Amount: amount})
		if c.Currency == cur {
			sum = sum.Add(amount)
		}
	}
	return lines, sum
}
