package app

import (
	"context"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/budgets"
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/invoicing"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/plans"
)

// budgetReader is the budgets.Reader over the customer's proposed invoices:
// spend is the sum of their totals (what the customer would be invoiced,
// after credits), and usage is each meter's quantity over the open period
// for the meters the invoices price (read from the event store, so a meter
// priced by several filtered prices is counted once, unfiltered).
type budgetReader struct {
	inv       *invoicing.Service
	meters    *meters.Service
	customers *customers.Service
}

func (r budgetReader) Read(ctx context.Context, tenantID, customerID string) (budgets.Reading, bool, error) {
	invs, err := r.inv.ProposedForCustomer(ctx, tenantID, customerID, time.Time{})
	if err != nil || len(invs) == 0 {
		return budgets.Reading{}, false, err
	}
	// With several subscriptions the period is the first one's (the
	// earliest started); their totals are summed.
	rd := budgets.Reading{Period: invs[0].Period, Spend: decimal.Zero, Usage: map[string]decimal.Decimal{}}
	var keys []string
	for _, inv := range invs {
		if inv.Period.Start.Before(rd.Period.Start) {
			rd.Period = inv.Period
		}
		rd.Spend = rd.Spend.Add(inv.Total)
		for _, l := range inv.Lines {
			if l.Type == plans.Usage && l.Meter != "" {
				if _, ok := rd.Usage[l.Meter]; !ok {
					rd.Usage[l.Meter] = decimal.Zero
					keys = append(keys, l.Meter)
				}
			}
		}
	}
	if len(keys) == 0 {
		return rd, true, nil
	}
	cu, err := r.customers.Get(ctx, tenantID, customerID)
	if err != nil {
		return budgets.Reading{}, false, err
	}
	ms, err := r.meters.ByKeys(ctx, tenantID, keys)
	if err != nil {
		return budgets.Reading{}, false, err
	}
	for key, m := range ms {
		q, err := r.meters.Quantity(ctx, tenantID, m, cu.ExternalID, nil, meters.Window{Period: rd.Period, Location: cu.Location()})
		if err != nil {
			return budgets.Reading{}, false, err
		}
		rd.Usage[key] = q
	}
	return rd, true, nil
}
