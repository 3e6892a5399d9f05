package advisor

import (
	"context"
	"sort"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/invoicing"
	"github.com/tallyhq/tally/meters"
)

// MeterList pages through a tenant's meters (meters.Service is one).
type MeterList interface {
	List(ctx context.Context, tenantID string, page domain.Page, includeArchived bool) (domain.List[meters.Meter], error)
}

// CostLine is what a customer's usage of one meter cost the tenant to
// serve: Quantity × PerUnit, rounded once to Currency.
type CostLine struct {
	Meter    string
	Quantity decimal.Decimal
	PerUnit  decimal.Decimal
	Currency domain.Currency
	Amount   decimal.Decimal
}

// MarginTotal is revenue, cost and margin (revenue − cost) in one currency.
type MarginTotal struct {
	Currency domain.Currency
	Revenue  decimal.Decimal
	Cost     decimal.Decimal
	Margin   decimal.Decimal
}

// Margin is a customer's revenue, cost to serve and margin over a window.
type Margin struct {
	Customer customers.Customer
	From, To time.Time
	Costs    []CostLine
	Totals   []MarginTotal
}

// Margin sums, for a customer over [from, to): revenue, the lines of its
// stored subscription invoices (any status but void; credit purchases left
// out, their credit pays lines already counted) whose period lies inside the
// window, before credits; cost, for every meter that declares
// cost_per_unit (archived ones too), the customer's quantity over the
// window in its time zone × the cost, rounded once; margin per currency.
func (s *Service) Margin(ctx context.Context, tenantID, customerID string, from, to time.Time) (Margin, error) {
	h, err := s.hist()
	if err != nil {
		return Margin{}, err
	}
	var p domain.Problems
	if from.IsZero() {
		p.Add("from", "is required")
	}
	if to.IsZero() {
		p.Add("to", "is required")
	} else if !to.After(from) {
		p.Add("to", "must be after from")
	}
	if err := p.Err(); err != nil {
		return Margin{}, err
	}
	cust, err := h.Subscribers.Get(ctx, tenantID, customerID)
	if err != nil {
		return Margin{}, err
	}
	out := Margin{Customer: cust, From: from, To: to, Costs: []CostLine{}, Totals: []MarginTotal{}}
	totals := map[domain.Currency]*MarginTotal{}
	total := func(c domain.Currency) *MarginTotal {
		if t, ok := totals[c]; ok {
			return t
		}
		t := &MarginTotal{Currency: c, Revenue: decimal.Zero, Cost: decimal.Zero}
		totals[c] = t
		return t
	}
	page := domain.Page{Limit: 100}
	for {
		l, err := h.Invoices.List(ctx, tenantID, invoicing.Query{CustomerID: cust.ID}, page)
		if err != nil {
			return Margin{}, err
		}
		for _, inv := range l.Data {
			if inv.Status == invoicing.Void || inv.SubscriptionID == "" {
				continue
			}
			for _, ln := range inv.Lines {
				if !ln.Period.Start.Before(from) && !ln.Period.End.After(to) {
					t := total(inv.Currency)
					t.Revenue = t.Revenue.Add(ln.Amount)
				}
			}
		}
		if l.NextCursor == "" {
			break
		}
		page.Cursor = l.NextCursor
	}
	page = domain.Page{Limit: 100}
	w := meters.Window{Period: domain.Period{Start: from, End: to}, Location: cust.Location()}
	for {
		l, err := h.MeterList.List(ctx, tenantID, page, true)
		if err != nil {
			return Margin{}, err
		}
		for _, m := range l.Data {
			if m.Cost == nil {
				continue
			}
			q, err := h.Quantities.Quantity(ctx, tenantID, m, cust.ExternalID, nil, w)
			if err != nil {
				return Margin{}, err
			}
			amount := m.Cost.Currency.Round(q.Mul(m.Cost.PerUnit))
			out.Costs = append(out.Costs, CostLine{Meter: m.Key, Quantity: q, PerUnit: m.Cost.PerUnit, Currency: m.Cost.Currency, Amount: amount})
			t := total(m.Cost.Currency)
			t.Cost = t.Cost.Add(amount)
		}
		if l.NextCursor == "" {
			break
		}
		page.Cursor = l.NextCursor
	}
	for _, t := range totals {
		t.Margin = t.Revenue.Sub(t.Cost)
		out.Totals = append(out.Totals, *t)
	}
	sort.Slice(out.Totals, func(i, j int) bool { return out.Totals[i].Currency < out.Totals[j].Currency })
	return out, nil
}
