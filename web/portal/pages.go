package portal

import (
	"context"
	"html/template"
	"math"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/advisor"
	"github.com/tallyhq/tally/budgets"
	"github.com/tallyhq/tally/credits"
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/invoicing"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/plans"
	"github.com/tallyhq/tally/web/ui"
)

// base is what every page shows: who it is for, where the reader is, and
// the form token.
type base struct {
	Nav      string
	Customer customers.Customer
	Zone     string
	Locale   string
	CSRF     string
	Now      time.Time
	Expires  time.Time
}

func (p *Portal) base(c echo.Context, nav string) (base, formatter, error) {
	s := sessionOf(c)
	cu, err := p.svc.Customers.Get(c.Request().Context(), s.token.TenantID, s.token.CustomerID)
	if err != nil {
		return base{}, formatter{}, err
	}
	zone := cu.Timezone
	if zone == "" {
		zone = "UTC"
	}
	return base{Nav: nav, Customer: cu, Zone: zone, Locale: s.locale, CSRF: s.csrf, Now: s.now, Expires: s.token.ExpiresAt},
		formatter{cur: cu.Currency, locale: s.locale, zone: zone}, nil
}

// subscriptions returns the customer's subscriptions with their plans, by id.
func (p *Portal) subscriptions(ctx context.Context, tenantID, customerID string) (map[string]customers.Context, error) {
	var subs []customers.Subscription
	page := domain.Page{Limit: domain.MaxPageLimit}
	for {
		l, err := p.svc.Customers.ListSubscriptions(ctx, tenantID, customers.SubscriptionQuery{CustomerID: customerID}, page)
		if err != nil {
			return nil, err
		}
		subs = append(subs, l.Data...)
		if l.NextCursor == "" {
			break
		}
		page.Cursor = l.NextCursor
	}
	scs, err := p.svc.Customers.Contexts(ctx, tenantID, subs)
	if err != nil {
		return nil, err
	}
	out := make(map[string]customers.Context, len(scs))
	for _, sc := range scs {
		out[sc.Subscription.ID] = sc
	}
	return out, nil
}

// invoiceView is an invoice (proposed or stored) for a person.
type invoiceView struct {
	ID, Number, Status, Reason   string
	ReasonText                   string
	PlanName                     string
	Start, End, Last             time.Time
	Lines                        []lineView
	Subtotal, CreditsApplied     Money
	Total                        Money
	Note                         string
	FinalizedAt                  *time.Time
	DaysLeft, DaysTotal, Elapsed int
	Charts                       []meterChart
}

// meterChart is one meter's usage over the current period, a bar per day
// so far, with what the proposed invoice charges for it.
type meterChart struct {
	Key, Name, Unit string
	Chart           template.HTML
	Days            int
	Total           string
	Accruing        Money
}

func (p *Portal) invoiceView(f formatter, inv invoicing.Invoice, scs map[string]customers.Context, units map[string]meters.Meter) invoiceView {
	v := invoiceView{Status: string(inv.Status), Reason: string(inv.BillingReason), Start: inv.Period.Start, End: inv.Period.End, Last: lastDay(inv.Period.End), Note: inv.Note,
		Subtotal: f.money(inv.Subtotal), CreditsApplied: f.money(inv.CreditsApplied), Total: f.money(inv.Total), FinalizedAt: inv.FinalizedAt}
	v.ID, v.ReasonText = inv.ID, reasonText(inv.BillingReason)
	if inv.Number != nil {
		v.Number = *inv.Number
	}
	sc, known := scs[inv.SubscriptionID]
	if known {
		v.PlanName = sc.Plan.Name
		if v.PlanName == "" {
			v.PlanName = sc.Plan.Key
		}
	}
	for _, l := range inv.Lines {
		var pr plans.Price
		ok := false
		if known {
			pr, ok = sc.Plan.Price(l.PriceKey)
		}
		unit := ""
		if m, found := units[l.Meter]; found {
			unit = m.Unit
		}
		lv := explainLine(f, l, inv.Period, pr, ok, unit)
		if m, found := units[l.Meter]; found && m.Name != "" {
			lv.Title = m.Name
		}
		v.Lines = append(v.Lines, lv)
	}
	return v
}

// daysBetween counts whole days, rounding up a started one.
func daysBetween(a, b time.Time) int {
	if !b.After(a) {
		return 0
	}
	return int(math.Ceil(b.Sub(a).Hours() / 24))
}

// bills are the proposed invoices of the customer's active subscriptions,
// with a usage chart per meter they price.
func (p *Portal) bills(c echo.Context, b base, f formatter) ([]invoiceView, error) {
	ctx := c.Request().Context()
	s := sessionOf(c)
	invs, err := p.svc.Invoices.ProposedForCustomer(ctx, s.token.TenantID, b.Customer.ID, b.Now)
	if err != nil {
		return nil, err
	}
	scs, err := p.subscriptions(ctx, s.token.TenantID, b.Customer.ID)
	if err != nil {
		return nil, err
	}
	keys := map[string]bool{}
	for _, inv := range invs {
		if sc, ok := scs[inv.SubscriptionID]; ok {
			for _, pr := range sc.Plan.Prices {
				if pr.MeterKey != "" {
					keys[pr.MeterKey] = true
				}
			}
		}
	}
	list := make([]string, 0, len(keys))
	for k := range keys {
		list = append(list, k)
	}
	sort.Strings(list)
	ms := map[string]meters.Meter{}
	if len(list) > 0 {
		if ms, err = p.svc.Meters.ByKeys(ctx, s.token.TenantID, list); err != nil {
			return nil, err
		}
	}
	out := make([]invoiceView, 0, len(invs))
	for _, inv := range invs {
		v := p.invoiceView(f, inv, scs, ms)
		v.DaysTotal, v.DaysLeft, v.Elapsed = daysBetween(inv.Period.Start, inv.Period.End), daysBetween(b.Now, inv.Period.End), daysBetween(inv.Period.Start, b.Now)
		sc := scs[inv.SubscriptionID]
		seen := map[string]bool{}
		for _, pr := range sc.Plan.Prices {
			m, ok := ms[pr.MeterKey]
			if !ok || seen[m.Key] {
				continue
			}
			seen[m.Key] = true
			ch, err := p.chart(ctx, s.token.TenantID, b, f, m, inv)
			if err != nil {
				return nil, err
			}
			v.Charts = append(v.Charts, ch)
		}
		out = append(out, v)
	}
	return out, nil
}

// chart draws a meter's daily usage (days of the customer's zone) from the
// period's start to now.
func (p *Portal) chart(ctx context.Context, tenantID string, b base, f formatter, m meters.Meter, inv invoicing.Invoice) (meterChart, error) {
	unit := m.Unit
	if unit == "" {
		unit = "units"
	}
	name := m.Name
	if name == "" {
		name = m.Key
	}
	ch := meterChart{Key: m.Key, Name: name, Unit: unit}
	var amount decimal.Decimal
	var qty *decimal.Decimal
	for _, l := range inv.Lines {
		if l.Meter == m.Key {
			amount = amount.Add(l.Amount)
			if qty == nil {
				q := l.Quantity
				qty = &q
			}
		}
	}
	ch.Accruing = f.money(amount)
	if qty != nil {
		ch.Total = f.qty(*qty)
	}
	to := b.Now
	if inv.Period.End.Before(to) {
		to = inv.Period.End
	}
	if !inv.Period.Start.Before(to) {
		ch.Chart = ui.BarChart(name+" per day", nil)
		return ch, nil
	}
	pts, err := p.svc.Meters.Series(ctx, tenantID, meters.SeriesQuery{Meter: m, Customer: b.Customer.ExternalID, From: inv.Period.Start, To: to,
		Granularity: meters.Day, Location: b.Customer.Location()})
	if err != nil {
		return meterChart{}, err
	}
	bars := make([]ui.Bar, len(pts))
	for i, pt := range pts {
		day := pt.Start.In(b.Customer.Location())
		bars[i] = ui.Bar{Label: day.Format("Jan 2"), Value: pt.Value, Title: day.Format("Mon, Jan 2") + ": " + f.qty(pt.Value) + " " + unitFor(pt.Value, unit)}
	}
	ch.Days = len(bars)
	if qty == nil {
		var sum decimal.Decimal
		for _, pt := range pts {
			sum = sum.Add(pt.Value)
		}
		ch.Total = f.qty(sum)
	}
	ch.Chart = ui.BarChart(name+" per day, "+ui.Date(inv.Period.Start, b.Zone)+" to today", bars)
	return ch, nil
}

type overviewData struct {
	base
	Bills   []invoiceView
	Credits creditsView
	Budgets []budgetView
	Advice  *adviceView
}

func (p *Portal) overview(c echo.Context) error {
	b, f, err := p.base(c, "overview")
	if err != nil {
		return err
	}
	d := overviewData{base: b}
	if d.Bills, err = p.bills(c, b, f); err != nil {
		return err
	}
	if d.Credits, err = p.creditsView(c, b, f); err != nil {
		return err
	}
	if d.Budgets, err = p.budgetViews(c, b, f); err != nil {
		return err
	}
	d.Advice = p.adviceView(c, b, f)
	return p.render(c, http.StatusOK, "overview", d)
}

// billPartial is the live part of the overview (app.js refreshes it).
func (p *Portal) billPartial(c echo.Context) error {
	b, f, err := p.base(c, "overview")
	if err != nil {
		return err
	}
	d := overviewData{base: b}
	if d.Bills, err = p.bills(c, b, f); err != nil {
		return err
	}
	return p.kit.Partial(c, p.pages["overview"], "bills", d)
}

type invoicesData struct {
	base
	Invoices []invoiceView
	Next     string
}

func (p *Portal) invoices(c echo.Context) error {
	b, f, err := p.base(c, "invoices")
	if err != nil {
		return err
	}
	s := sessionOf(c)
	ctx := c.Request().Context()
	l, err := p.svc.Invoices.List(ctx, s.token.TenantID, invoicing.Query{CustomerID: b.Customer.ID}, domain.Page{Limit: 100, Cursor: c.QueryParam("after")})
	if err != nil {
		return err
	}
	scs, err := p.subscriptions(ctx, s.token.TenantID, b.Customer.ID)
	if err != nil {
		return err
	}
	d := invoicesData{base: b, Next: l.NextCursor}
	for i := len(l.Data) - 1; i >= 0; i-- { // newest first
		d.Invoices = append(d.Invoices, p.invoiceView(f, l.Data[i], scs, nil))
	}
	return p.render(c, http.StatusOK, "invoices", d)
}

type invoiceData struct {
	base
	Invoice invoiceView
}

func (p *Portal) invoice(c echo.Context) error {
	b, f, err := p.base(c, "invoices")
	if err != nil {
		return err
	}
	s := sessionOf(c)
	ctx := c.Request().Context()
	inv, err := p.svc.Invoices.Get(ctx, s.token.TenantID, c.Param("id"))
	if err != nil {
		return err
	}
	if inv.CustomerID != b.Customer.ID { // another customer's: as if it did not exist
		return domain.NotFound("invoice", c.Param("id"))
	}
	scs, err := p.subscriptions(ctx, s.token.TenantID, b.Customer.ID)
	if err != nil {
		return err
	}
	var keys []string
	for _, l := range inv.Lines {
		if l.Meter != "" {
			keys = append(keys, l.Meter)
		}
	}
	ms := map[string]meters.Meter{}
	if len(keys) > 0 {
		if ms, err = p.svc.Meters.ByKeys(ctx, s.token.TenantID, keys); err != nil {
			return err
		}
	}
	return p.render(c, http.StatusOK, "invoice", invoiceData{base: b, Invoice: p.invoiceView(f, inv, scs, ms)})
}

// creditsView is the credit balance per unit, with the low-balance rule's
// verdict.
type creditsView struct {
	Units []unitView
	Any   bool
}

type unitView struct {
	Unit                                              string
	Currency                                          bool
	Granted, Used, Pending, Expired, Remaining, Level string
	RemainingExact                                    string
	Low, Exhausted                                    bool
	Grants                                            []grantView
}

type grantView struct {
	Name, Status             string
	Granted, Used, Remaining string
	ExpiresAt                *time.Time
	ExpiresSoon              bool
}

func (p *Portal) creditsView(c echo.Context, b base, f formatter) (creditsView, error) {
	s := sessionOf(c)
	// Zero: the live balance (cached); the page's own b.Now, read a moment
	// earlier, would ask for a past instant and compute it in full each time.
	bal, err := p.svc.Invoices.CreditBalance(c.Request().Context(), s.token.TenantID, b.Customer.ID, time.Time{})
	if err != nil {
		return creditsView{}, err
	}
	lowLevel, err := p.svc.Budgets.CreditLevel(c.Request().Context(), s.token.TenantID, b.Customer.ID)
	if err != nil {
		return creditsView{}, err
	}
	var out creditsView
	for _, u := range bal {
		w := func(d decimal.Decimal) string {
			if u.Unit == string(b.Customer.Currency) || u.Unit == "" {
				return f.money(d).Text
			}
			return f.qty(d) + " " + u.Unit
		}
		level, low, exhausted := budgets.UnitCreditLevel(lowLevel, u)
		uv := unitView{Unit: u.Unit, Granted: w(u.Granted), Used: w(u.Used), Pending: w(u.Pending), Expired: w(u.Expired), Remaining: w(u.Remaining),
			RemainingExact: u.Remaining.String(), Level: w(level), Low: low, Exhausted: exhausted}
		for _, g := range u.Grants {
			gv := grantView{Name: g.Grant.Name, Status: string(g.Status), Granted: w(g.Granted), Used: w(g.Used.Add(g.Pending)), Remaining: w(g.Remaining), ExpiresAt: g.Grant.ExpiresAt}
			if gv.Name == "" {
				gv.Name = "Prepaid credit"
			}
			gv.ExpiresSoon = g.Grant.ExpiresAt != nil && g.Status == credits.StatusActive && g.Grant.ExpiresAt.Sub(b.Now) < 14*24*time.Hour
			uv.Grants = append(uv.Grants, gv)
		}
		out.Units = append(out.Units, uv)
	}
	out.Any = len(out.Units) > 0
	return out, nil
}

type creditsData struct {
	base
	Credits creditsView
}

func (p *Portal) credits(c echo.Context) error {
	b, f, err := p.base(c, "credits")
	if err != nil {
		return err
	}
	cv, err := p.creditsView(c, b, f)
	if err != nil {
		return err
	}
	return p.render(c, http.StatusOK, "credits", creditsData{base: b, Credits: cv})
}

// adviceView is the plan advisor's answer in words, or why there is none.
type adviceView struct {
	Headline    string
	Saving      Money
	Cheaper     bool
	Current     string
	Basis       string
	Start, Last time.Time
	Projection  string
	Usage       []usageRow
	Plans       []planRow
	Unavailable string
}

type usageRow struct{ Meter, Quantity string }

type planRow struct {
	Name, Total, Difference string
	Current, Cheapest       bool
}

func (p *Portal) adviceView(c echo.Context, b base, f formatter) *adviceView {
	s := sessionOf(c)
	r, err := p.svc.Advisor.Recommend(c.Request().Context(), s.token.TenantID, advisor.RecommendInput{CustomerID: b.Customer.ID})
	if err != nil {
		// A customer without a closed period (or a subscription) has
		// nothing to compare yet: say so, and what happens next.
		why := "The comparison is not available right now; try again later."
		if de, ok := domain.AsError(err); ok && (de.Kind == domain.KindConflict || de.Kind == domain.KindNotFound || de.Kind == domain.KindValidation) {
			why = "Once one of your billing periods has closed, this page compares what you used against every plan. (" + de.Message + ")"
		}
		return &adviceView{Unavailable: why}
	}
	nameOf := func(key string) string {
		for _, q := range r.Comparison.Quotes {
			if q.Plan.Key == key && q.Plan.Name != "" {
				return q.Plan.Name
			}
		}
		return key
	}
	v := &adviceView{Current: nameOf(r.Current.Key), Basis: r.Basis, Start: r.Period.Start, Last: lastDay(r.Period.End),
		Saving: f.money(r.Saving), Cheaper: r.Saving.IsPositive()}
	if r.Basis == advisor.BasisCurrentProjected {
		v.Projection = r.Projection
	}
	when := "last period"
	if r.Basis == advisor.BasisCurrentProjected {
		when = "this period (projected)"
	}
	if v.Cheaper && len(r.Comparison.Cheapest) > 0 {
		v.Headline = "On " + nameOf(r.Comparison.Cheapest[0]) + " you would have paid " + v.Saving.Text + " less " + when + "."
	} else {
		v.Headline = "Your plan, " + v.Current + ", was the cheapest for your usage " + when + "."
	}
	var keys []string
	for k := range r.Usage {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	ms := map[string]meters.Meter{}
	if len(keys) > 0 {
		if found, err := p.svc.Meters.ByKeys(c.Request().Context(), s.token.TenantID, keys); err == nil {
			ms = found
		}
	}
	for _, k := range keys {
		name, unit := k, ""
		if m, ok := ms[k]; ok {
			if m.Name != "" {
				name = m.Name
			}
			unit = " " + unitFor(r.Usage[k], m.Unit)
		}
		v.Usage = append(v.Usage, usageRow{Meter: name, Quantity: f.qty(r.Usage[k]) + unit})
	}
	cheapest := map[string]bool{}
	for _, k := range r.Comparison.Cheapest {
		cheapest[k] = true
	}
	for _, q := range r.Comparison.Quotes {
		diff := r.CurrentTotal.Sub(q.Total)
		d := "—"
		switch {
		case diff.IsPositive():
			d = f.money(diff).Text + " less"
		case diff.IsNegative():
			d = f.money(diff.Neg()).Text + " more"
		}
		name := q.Plan.Name
		if name == "" {
			name = q.Plan.Key
		}
		v.Plans = append(v.Plans, planRow{Name: name, Total: f.money(q.Total).Text, Difference: d, Current: q.Plan.Key == r.Current.Key, Cheapest: cheapest[q.Plan.Key]})
	}
	return v
}

type advisorData struct {
	base
	Advice *adviceView
}

func (p *Portal) advisor(c echo.Context) error {
	b, f, err := p.base(c, "advisor")
	if err != nil {
		return err
	}
	return p.render(c, http.StatusOK, "advisor", advisorData{base: b, Advice: p.adviceView(c, b, f)})
}

// unitFor writes a plural unit ("calls") in the singular for exactly one
// ("1 call").
func unitFor(q decimal.Decimal, unit string) string {
	if q.Equal(decimal.NewFromInt(1)) && len(unit) > 1 && strings.HasSuffix(unit, "s") {
		return strings.TrimSuffix(unit, "s")
	}
	return unit
}

// reasonText says why an invoice exists, for its reader.
func reasonText(r invoicing.Reason) string {
	switch r {
	case invoicing.SubscriptionStart:
		return "Start of your subscription"
	case invoicing.Cycle:
		return "End of a billing period"
	case invoicing.Cancel:
		return "Cancellation"
	case invoicing.PlanChange:
		return "Plan change"
	case invoicing.Manual:
		return "One-off"
	}
	return string(r)
}
