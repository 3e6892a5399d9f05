package console

import (
	"math/big"
	"net/http"
	"sort"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/advisor"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/plans"
	"github.com/tallyhq/tally/web/ui"
	"html/template"
)

type planPage struct {
	base
	Plan   plans.Plan
	Others []plans.Plan
	Meters []string
	Calc   formState
	Quote  quoteView
	Break  breakView
}

// breakView is the break-even of the plan against another along one meter:
// the advisor's exact boundaries and regions, and a chart of both plans'
// costs (each point a QuotePlan total) with the boundaries marked.
type breakView struct {
	Against string
	Meter   string
	Result  *advisor.BreakEven
	Chart   template.HTML
	Message string
}

// meterKeys are the meters the plan's usage prices read, in order.
func meterKeys(p plans.Plan) []string {
	var out []string
	seen := map[string]bool{}
	for _, pr := range p.Prices {
		if pr.MeterKey != "" && !seen[pr.MeterKey] {
			seen[pr.MeterKey] = true
			out = append(out, pr.MeterKey)
		}
	}
	return out
}

func showPlan(c *Console, ec echo.Context, se *session) error {
	ctx, err := c.ctx(ec, se)
	if err != nil {
		return err
	}
	p, err := c.svc.Plans.Get(ctx, se.TenantID, ec.Param("id"))
	if err != nil {
		return err
	}
	l, err := c.svc.Plans.List(ctx, se.TenantID, domain.Page{Limit: 100}, false)
	if err != nil {
		return err
	}
	page := planPage{base: c.newBase(ec, se, "plans"), Plan: p, Meters: meterKeys(p), Calc: formState{Values: ec.QueryParams(), Errors: map[string]string{}}}
	for _, o := range l.Data {
		if o.ID != p.ID && o.Currency == p.Currency && o.Interval == p.Interval {
			page.Others = append(page.Others, o)
		}
	}
	if page.Quote, err = c.compare(ec, se, p, &page.Calc); err != nil {
		return err
	}
	if page.Break, err = c.breakEven(ec, se, p, ec.QueryParam("against"), ec.QueryParam("meter")); err != nil {
		return err
	}
	return c.render(ec, http.StatusOK, "plan", page)
}

// calculatePlan is the calculator's live part.
func calculatePlan(c *Console, ec echo.Context, se *session) error {
	ctx, err := c.ctx(ec, se)
	if err != nil {
		return err
	}
	p, err := c.svc.Plans.Get(ctx, se.TenantID, ec.Param("id"))
	if err != nil {
		return err
	}
	f := formState{Values: ec.QueryParams(), Errors: map[string]string{}}
	qv, err := c.compare(ec, se, p, &f)
	if err != nil {
		return err
	}
	return c.partial(ec, "plan", "quote", qv)
}

// compare quotes the stored plan on the calculator's usage through the
// advisor's Compare, as POST /v1/plans/compare does.
func (c *Console) compare(ec echo.Context, se *session, p plans.Plan, f *formState) (quoteView, error) {
	ctx, err := c.ctx(ec, se)
	if err != nil {
		return quoteView{}, err
	}
	u := usageOf(f)
	qv := quoteView{Locale: locale(ec)}
	if err := f.err(); err != nil {
		qv.fail(err)
		return qv, nil
	}
	cmp, err := c.svc.Advisor.Compare(ctx, se.TenantID, advisor.CompareInput{Usage: u, Plans: []string{p.Key}})
	if err != nil {
		if qv.fail(err) {
			return qv, nil
		}
		return qv, err
	}
	q := cmp.Quotes[0].Quote
	qv.Quote, qv.Usage = &q, usageList(p, u)
	return qv, nil
}

// chartSamples is how many evenly spaced quantities the chart draws
// between the boundaries.
const chartSamples = 40

func (c *Console) breakEven(ec echo.Context, se *session, p plans.Plan, against, meter string) (breakView, error) {
	bv := breakView{Against: against, Meter: meter}
	if against == "" {
		return bv, nil
	}
	if bv.Meter == "" {
		if ks := meterKeys(p); len(ks) > 0 {
			bv.Meter = ks[0]
		}
	}
	ctx, err := c.ctx(ec, se)
	if err != nil {
		return bv, err
	}
	be, err := c.svc.Advisor.BreakEven(ctx, se.TenantID, advisor.BreakEvenInput{Plans: []string{p.Key, against}, Meter: bv.Meter})
	if err != nil {
		if de, ok := domain.AsError(err); ok {
			bv.Message = de.Error()
			return bv, nil
		}
		return bv, err
	}
	bv.Result = &be
	other, err := c.svc.Plans.Get(ctx, se.TenantID, against)
	if domain.KindOf(err) == domain.KindNotFound {
		l, lerr := c.svc.Plans.List(ctx, se.TenantID, domain.Page{Limit: 100}, true)
		if lerr != nil {
			return bv, lerr
		}
		for _, o := range l.Data {
			if o.Key == against {
				other, err = o, nil
			}
		}
	}
	if err != nil {
		return bv, err
	}
	chart, err := breakChart(p, other, be, locale(ec))
	if err != nil {
		return bv, err
	}
	bv.Chart = chart
	return bv, nil
}

// breakChart draws both plans' totals from zero to twice the last
// boundary (or 1,000 units without one), each point quoted by the advisor
// (QuotePlan, the function Compare uses), with the boundaries marked.
func breakChart(a, b plans.Plan, be advisor.BreakEven, loc string) (template.HTML, error) {
	top := decimal.NewFromInt(1000)
	var xs []decimal.Decimal
	var marks []ui.Point
	for _, bd := range be.Boundaries {
		x := ratDecimal(bd.At)
		xs = append(xs, x)
		y := decimal.Zero
		if len(bd.Totals) > 0 {
			y = bd.Totals[0].Amount
		}
		marks = append(marks, ui.Point{X: x, Y: y})
	}
	if len(xs) > 0 {
		top = decimal.Max(xs[len(xs)-1].Mul(decimal.NewFromInt(2)).Ceil(), decimal.NewFromInt(10))
	}
	step := top.Div(decimal.NewFromInt(chartSamples))
	for i := 0; i <= chartSamples; i++ {
		xs = append(xs, step.Mul(decimal.NewFromInt(int64(i))).Round(6))
	}
	sort.Slice(xs, func(i, j int) bool { return xs[i].LessThan(xs[j]) })
	var series []ui.Series
	for _, p := range []plans.Plan{a, b} {
		s := ui.Series{Name: p.Name + " (" + p.Key + ")"}
		for _, x := range xs {
			q, err := advisor.QuotePlan(p, advisor.Usage{be.Meter: x}, false)
			if err != nil {
				return "", err
			}
			s.Points = append(s.Points, ui.Point{X: x, Y: q.Total})
		}
		series = append(series, s)
	}
	fx := func(d decimal.Decimal) string { return ui.Quantity(d.Round(2), loc) }
	fy := func(d decimal.Decimal) string { return ui.Money(d.Round(2), string(be.Currency), loc) }
	return ui.LineChart("Cost of "+a.Key+" and "+b.Key+" by "+be.Meter, series, marks, fx, fy), nil
}

// ratDecimal is an exact boundary to 6 places (for drawing and labels).
func ratDecimal(r *big.Rat) decimal.Decimal {
	if r == nil {
		return decimal.Zero
	}
	d, err := decimal.NewFromString(r.FloatString(6))
	if err != nil {
		return decimal.Zero
	}
	return d
}
