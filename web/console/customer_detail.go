package console

import (
	"context"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/budgets"
	"github.com/tallyhq/tally/credits"
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/invoicing"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/plans"
	"github.com/tallyhq/tally/web/ui"
)

type customerPage struct {
	base
	Customer      customers.Customer
	Zone          string
	Subscriptions []subView
	Proposed      []invoicing.Invoice
	Charts        []usageChart
	Balances      []credits.UnitBalance
	Ledger        []credits.Entry
	Budgets       []budgetView
	Plans         []plans.Plan
	// Forms are the action forms shown again with their problems, by
	// name: "subscribe", "grant", "cancel:<subscription id>",
	// "change:<subscription id>".
	Forms map[string]formState
}

// F returns the named action form (empty when it was not just sent).
func (p customerPage) F(name string) formState {
	if f, ok := p.Forms[name]; ok {
		return f
	}
	return formState{Errors: map[string]string{}}
}

type subView struct {
	customers.Subscription
	Active bool
}

// usageChart is one meter's daily usage over the current period of a
// subscription, in the customer's zone (meters.Service.Series, as GET
// /v1/customers/{id}/usage).
type usageChart struct {
	Meter meters.Meter
	Total string
	SVG   template.HTML
}

func showCustomer(c *Console, ec echo.Context, se *session) error {
	return c.customerPage(ec, se, ec.Param("id"), http.StatusOK, nil)
}

// customerPage renders the customer's page at status, with forms shown
// again (nil: none).
func (c *Console) customerPage(ec echo.Context, se *session, id string, status int, forms map[string]formState) error {
	ctx, err := c.ctx(ec, se)
	if err != nil {
		return err
	}
	cu, err := c.svc.Customers.Get(ctx, se.TenantID, id)
	if err != nil {
		return err
	}
	p := customerPage{base: c.newBase(ec, se, "customers"), Customer: cu, Zone: cu.Timezone, Forms: forms}
	if p.Zone == "" {
		p.Zone = "UTC"
	}
	now := c.clock.Now(ctx)
	subs, err := c.svc.Customers.ListSubscriptions(ctx, se.TenantID, customers.SubscriptionQuery{CustomerID: cu.ID}, domain.Page{Limit: 100})
	if err != nil {
		return err
	}
	for _, s := range subs.Data {
		p.Subscriptions = append(p.Subscriptions, subView{Subscription: s, Active: s.EndsAt == nil || s.EndsAt.After(now)})
	}
	if p.Proposed, err = c.svc.Invoicing.ProposedForCustomer(ctx, se.TenantID, cu.ID, time.Time{}); err != nil {
		return err
	}
	if p.Charts, err = c.usageCharts(ctx, se, cu, p.Proposed, now, locale(ec)); err != nil {
		return err
	}
	if p.Balances, err = c.svc.Invoicing.CreditBalance(ctx, se.TenantID, cu.ID, time.Time{}); err != nil {
		return err
	}
	led, err := c.svc.Credits.Ledger(ctx, se.TenantID, cu.ID, now, domain.Page{Limit: 50})
	if err != nil {
		return err
	}
	p.Ledger = led.Data
	if p.Budgets, err = c.budgets(ctx, se, cu.ID); err != nil {
		return err
	}
	pl, err := c.svc.Plans.List(ctx, se.TenantID, domain.Page{Limit: 100}, false)
	if err != nil {
		return err
	}
	for _, x := range pl.Data {
		if x.Currency == cu.Currency {
			p.Plans = append(p.Plans, x)
		}
	}
	return c.render(ec, status, "customer", p)
}

// budgetView is one budget with how far the open period has gone: the
// budget reader's spend (or the meter's usage) against the limit.
type budgetView struct {
	budgets.Budget
	Known   bool // the customer has an open period to read
	Current decimal.Decimal
	// Percent is Current of Limit, whole (may pass 100); Width the bar's,
	// at most 100. Level is "" below the first threshold, "warn" past it,
	// "bad" at the limit.
	Percent, Width int
	Level          string
}

func (c *Console) budgets(ctx context.Context, se *session, customerID string) ([]budgetView, error) {
	list, err := c.svc.Budgets.List(ctx, se.TenantID, customerID)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	var rd budgets.Reading
	ok := false
	if c.svc.BudgetReader != nil {
		if rd, ok, err = c.svc.BudgetReader.Read(ctx, se.TenantID, customerID); err != nil {
			return nil, err
		}
	}
	out := make([]budgetView, len(list))
	for i, b := range list {
		v := budgetView{Budget: b, Known: ok}
		if ok {
			v.Current = rd.Spend
			if b.Meter != "" {
				v.Current = rd.Usage[b.Meter]
			}
			if b.Limit.IsPositive() {
				v.Percent = int(v.Current.Mul(decimal.NewFromInt(100)).Div(b.Limit).IntPart())
			}
			v.Width = min(max(v.Percent, 0), 100)
			switch {
			case v.Percent >= 100:
				v.Level = "bad"
			case len(b.Thresholds) > 0 && v.Percent >= b.Thresholds[0]:
				v.Level = "warn"
			}
		}
		out[i] = v
	}
	return out, nil
}

// usageCharts draws, per meter on the proposed invoices, one bar per day
// of the current period so far.
func (c *Console) usageCharts(ctx context.Context, se *session, cu customers.Customer, proposed []invoicing.Invoice, now time.Time, loc string) ([]usageChart, error) {
	want := map[string]domain.Period{}
	billed := map[string]decimal.Decimal{}
	var order []string
	for _, inv := range proposed {
		for _, l := range inv.Lines {
			if l.Meter == "" {
				continue
			}
			if _, ok := want[l.Meter]; !ok {
				order = append(order, l.Meter)
				want[l.Meter] = inv.Period
				billed[l.Meter] = l.Quantity
			}
		}
	}
	if len(order) == 0 {
		return nil, nil
	}
	ms, err := c.svc.Meters.List(ctx, se.TenantID, domain.Page{Limit: 500}, true)
	if err != nil {
		return nil, err
	}
	byKey := map[string]meters.Meter{}
	for _, m := range ms.Data {
		byKey[m.Key] = m
	}
	zone := cu.Location()
	var out []usageChart
	for _, key := range order {
		m, ok := byKey[key]
		if !ok {
			continue
		}
		per := want[key]
		to := now
		if per.End.Before(to) {
			to = per.End
		}
		if !to.After(per.Start) {
			continue
		}
		pts, err := c.svc.Meters.Series(ctx, se.TenantID, meters.SeriesQuery{Meter: m, Customer: cu.ExternalID, From: per.Start, To: to, Granularity: meters.Day, Location: zone})
		if err != nil {
			return nil, err
		}
		unit := m.Unit
		if unit == "" {
			unit = m.Key
		}
		bars := make([]ui.Bar, len(pts))
		for i, pt := range pts {
			day := pt.Start.In(zone).Format("Jan 2")
			bars[i] = ui.Bar{Label: day, Value: pt.Value, Title: day + ": " + ui.Quantity(pt.Value, loc) + " " + unit}
		}
		// The total is the proposed invoice's quantity (the period from its
		// start); a day's bar is the whole day's usage, as GET
		// /v1/customers/{id}/usage buckets it.
		out = append(out, usageChart{Meter: m, Total: ui.Quantity(billed[key], loc) + " " + unit + " billed",
			SVG: ui.BarChart("Daily "+m.Name+" of "+cu.ExternalID+" this period", bars)})
	}
	return out, nil
}

// again shows the customer page with one action form's problems (or
// returns err when it is not the form's).
func (c *Console) again(ec echo.Context, se *session, customerID, form string, f formState, err error) error {
	status, ok := f.refuse(err)
	if !ok {
		return err
	}
	return c.customerPage(ec, se, customerID, status, map[string]formState{form: f})
}

func subscribe(c *Console, ec echo.Context, se *session) error {
	ctx, err := c.ctx(ec, se)
	if err != nil {
		return err
	}
	cu, err := c.svc.Customers.Get(ctx, se.TenantID, ec.Param("id"))
	if err != nil {
		return err
	}
	f := newForm(ec)
	in := customers.CreateSubscriptionInput{Customer: cu.ExternalID, Plan: f.V("plan"), StartAt: f.timeField("start_at", "start_at", cu.Location()),
		BillingCycle: f.V("billing_cycle"), ExternalID: strings.TrimSpace(f.V("external_id"))}
	if n := f.intField("trial_days", "trial_days", "must be a whole number of days"); n != nil {
		in.TrialDays = *n
	}
	if err = f.err(); err == nil {
		_, err = c.svc.Invoicing.Subscribe(ctx, se.TenantID, in)
	}
	if err != nil {
		return c.again(ec, se, cu.ID, "subscribe", f, err)
	}
	return ec.Redirect(http.StatusSeeOther, doneURL("/console/customers/"+cu.ID, "subscribed"))
}

func grantCredits(c *Console, ec echo.Context, se *session) error {
	ctx, err := c.ctx(ec, se)
	if err != nil {
		return err
	}
	cu, err := c.svc.Customers.Get(ctx, se.TenantID, ec.Param("id"))
	if err != nil {
		return err
	}
	f := newForm(ec)
	in := credits.CreateInput{Name: f.V("name"), Amount: f.decimalField("amount", "amount"), Unit: strings.TrimSpace(f.V("unit")),
		ConversionRate: f.decimalField("conversion_rate", "conversion_rate"), ExpiresAt: f.timeField("expires_at", "expires_at", cu.Location()),
		Paid: f.V("paid") == "on", Price: f.decimalField("price", "price"), Priority: f.intField("priority", "priority", "must be a whole number")}
	if err = f.err(); err == nil {
		if in.Paid { // as POST /v1/customers/{id}/credit_grants with paid: true
			_, _, err = c.svc.Invoicing.PurchaseCredits(ctx, se.TenantID, cu.ID, in)
		} else {
			_, err = c.svc.Credits.Create(ctx, se.TenantID, cu.ID, cu.Currency, in)
		}
	}
	if err != nil {
		return c.again(ec, se, cu.ID, "grant", f, err)
	}
	return ec.Redirect(http.StatusSeeOther, doneURL("/console/customers/"+cu.ID, "granted"))
}

func cancelSubscription(c *Console, ec echo.Context, se *session) error {
	ctx, err := c.ctx(ec, se)
	if err != nil {
		return err
	}
	sub, err := c.svc.Customers.GetSubscription(ctx, se.TenantID, ec.Param("id"))
	if err != nil {
		return err
	}
	f := newForm(ec)
	if _, err := c.svc.Invoicing.Cancel(ctx, se.TenantID, sub.ID, invoicing.CancelInput{At: f.V("at"), Prorate: f.V("prorate") == "on"}); err != nil {
		return c.again(ec, se, sub.CustomerID, "cancel:"+sub.ID, f, err)
	}
	return ec.Redirect(http.StatusSeeOther, doneURL("/console/customers/"+sub.CustomerID, "canceled"))
}

func changePlan(c *Console, ec echo.Context, se *session) error {
	ctx, err := c.ctx(ec, se)
	if err != nil {
		return err
	}
	sub, err := c.svc.Customers.GetSubscription(ctx, se.TenantID, ec.Param("id"))
	if err != nil {
		return err
	}
	f := newForm(ec)
	if _, err := c.svc.Invoicing.ChangePlan(ctx, se.TenantID, sub.ID, invoicing.ChangePlanInput{Plan: f.V("plan"), At: f.V("at")}); err != nil {
		return c.again(ec, se, sub.CustomerID, "change:"+sub.ID, f, err)
	}
	return ec.Redirect(http.StatusSeeOther, doneURL("/console/customers/"+sub.CustomerID, "changed"))
}
