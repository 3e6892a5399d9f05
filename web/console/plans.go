package console

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/advisor"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/plans"
)

type plansPage struct {
	base
	Plans []plans.Plan
	Next  string
}

func listPlans(c *Console, ec echo.Context, se *session) error {
	ctx, err := c.ctx(ec, se)
	if err != nil {
		return err
	}
	l, err := c.svc.Plans.List(ctx, se.TenantID, pageOf(ec, 100), ec.QueryParam("archived") == "on")
	if err != nil {
		return err
	}
	return c.render(ec, http.StatusOK, "plans", plansPage{base: c.newBase(ec, se, "plans"), Plans: l.Data, Next: nextURL(ec, l.NextCursor)})
}

// editorPrices is how many price rows the plan editor offers; a row whose
// key is empty is not part of the plan.
const editorPrices = 3

// editorTiers is how many tier rows each price offers.
const editorTiers = 4

type planForm struct {
	base
	Form   formState
	Meters []meters.Meter
	Rows   []priceRow
	Quote  quoteView
}

// priceRow is one price of the editor: the form names of its fields are
// the domain's field paths (prices[0].amount), so a problem lands next to
// the field it names.
type priceRow struct {
	Index int
	P     string // "prices[0]"
	ID    string // "prices-0", for element ids
	Tiers []string
}

func editorRows() []priceRow {
	rows := make([]priceRow, editorPrices)
	for i := range rows {
		rows[i] = priceRow{Index: i, P: fmt.Sprintf("prices[%d]", i), ID: fmt.Sprintf("prices-%d", i)}
		for j := 0; j < editorTiers; j++ {
			rows[i].Tiers = append(rows[i].Tiers, fmt.Sprintf("prices[%d].tiers[%d]", i, j))
		}
	}
	return rows
}

// planInput reads the editor into the service's input.
func planInput(f *formState) plans.CreateInput {
	in := plans.CreateInput{Key: strings.TrimSpace(f.V("key")), Name: f.V("name"), Description: f.V("description"),
		Currency: strings.ToUpper(strings.TrimSpace(f.V("currency"))), Interval: f.V("interval")}
	for _, r := range editorRows() {
		key := strings.TrimSpace(f.V(r.P + ".key"))
		if key == "" {
			continue
		}
		// The domain reports problems by the index among the prices sent;
		// rows are sent in order, so a skipped row must not leave a gap.
		if len(in.Prices) != r.Index {
			f.add(r.P+".key", fmt.Sprintf("fill the price rows in order: prices[%d] is empty", len(in.Prices)))
			continue
		}
		p := plans.PriceInput{Key: key, Type: f.V(r.P + ".type"), Model: f.V(r.P + ".model"), Meter: strings.TrimSpace(f.V(r.P + ".meter")),
			Amount: f.decimalField(r.P+".amount", r.P+".amount"), PackageSize: f.decimalField(r.P+".package_size", r.P+".package_size"),
			Rounding: f.V(r.P + ".rounding"), TierMode: f.V(r.P + ".tier_mode"),
			FreeUnits: f.decimalField(r.P+".free_units", r.P+".free_units"), MinimumAmount: f.decimalField(r.P+".minimum_amount", r.P+".minimum_amount"),
			Cadence: f.V(r.P + ".cadence"), PriceUnit: strings.TrimSpace(f.V(r.P + ".price_unit")),
			ConversionRate: f.decimalField(r.P+".conversion_rate", r.P+".conversion_rate")}
		if p.Type == string(plans.Fixed) {
			p.Meter = ""
		}
		for _, t := range r.Tiers {
			tier := plans.TierInput{UpTo: f.decimalField(t+".up_to", t+".up_to"), UnitAmount: f.decimalField(t+".unit_amount", t+".unit_amount"),
				FlatAmount: f.decimalField(t+".flat_amount", t+".flat_amount")}
			if tier.UpTo == nil && tier.UnitAmount == nil && tier.FlatAmount == nil {
				continue
			}
			p.Tiers = append(p.Tiers, tier)
		}
		in.Prices = append(in.Prices, p)
	}
	return in
}

// usageOf reads the calculator's quantities: usage.<meter key> fields.
func usageOf(f *formState) advisor.Usage {
	u := advisor.Usage{}
	for name := range f.Values {
		key, ok := strings.CutPrefix(name, "usage.")
		if !ok || key == "" {
			continue
		}
		if d := f.decimalField(name, name); d != nil {
			u[key] = *d
		}
	}
	return u
}

// quoteView is the calculator's answer: the advisor's quote of the plan on
// the usage, or why there is none.
type quoteView struct {
	Quote    *advisor.Quote
	Usage    []usageQty
	Problems []domain.FieldError
	Message  string
	Locale   string
}

type usageQty struct {
	Meter, Unit string
	Quantity    decimal.Decimal
}

func (c *Console) planForm(ec echo.Context, se *session, f formState) (planForm, error) {
	ctx, err := c.ctx(ec, se)
	if err != nil {
		return planForm{}, err
	}
	ms, err := c.svc.Meters.List(ctx, se.TenantID, domain.Page{Limit: 100}, false)
	if err != nil {
		return planForm{}, err
	}
	return planForm{base: c.newBase(ec, se, "plans"), Form: f, Meters: ms.Data, Rows: editorRows()}, nil
}

func newPlan(c *Console, ec echo.Context, se *session) error {
	f := formState{Values: ec.QueryParams(), Errors: map[string]string{}}
	for k, v := range map[string]string{"currency": "USD", "interval": "month", "prices[0].type": "fixed", "prices[0].model": "flat", "prices[1].type": "usage", "prices[1].model": "per_unit", "prices[2].type": "usage", "prices[2].model": "tiered"} {
		if f.V(k) == "" {
			f.Values.Set(k, v)
		}
	}
	p, err := c.planForm(ec, se, f)
	if err != nil {
		return err
	}
	p.Quote, err = c.draftQuote(ec, se, &f)
	if err != nil {
		return err
	}
	return c.render(ec, http.StatusOK, "plan_new", p)
}

// draftQuote prices the plan being written: plans.Service.Draft validates
// it as Create would, and the advisor quotes it on the calculator's usage.
func (c *Console) draftQuote(ec echo.Context, se *session, f *formState) (quoteView, error) {
	ctx, err := c.ctx(ec, se)
	if err != nil {
		return quoteView{}, err
	}
	probe := formState{Values: f.Values, Errors: map[string]string{}}
	in := planInput(&probe)
	u := usageOf(&probe)
	qv := quoteView{Locale: locale(ec)}
	if err := probe.err(); err != nil {
		qv.fail(err)
		return qv, nil
	}
	if len(in.Prices) == 0 {
		qv.Message = "Add a price (give it a key) to see what the plan costs."
		return qv, nil
	}
	draft, err := c.svc.Plans.Draft(ctx, se.TenantID, in)
	if err == nil {
		var q advisor.Quote
		if q, err = advisor.QuotePlan(draft, u, false); err == nil {
			qv.Quote = &q
			qv.Usage = usageList(draft, u)
		}
	}
	if err != nil && !qv.fail(err) {
		return qv, err
	}
	return qv, nil
}

// fail records a domain error in the view (false: not the form's error).
func (q *quoteView) fail(err error) bool {
	de, ok := domain.AsError(err)
	if !ok {
		return false
	}
	q.Problems, q.Message = de.Fields, de.Message
	return true
}

// usageList is the quantities the quote used, one per metered price.
func usageList(p plans.Plan, u advisor.Usage) []usageQty {
	var out []usageQty
	seen := map[string]bool{}
	for _, pr := range p.Prices {
		if pr.MeterKey == "" || seen[pr.MeterKey] {
			continue
		}
		seen[pr.MeterKey] = true
		out = append(out, usageQty{Meter: pr.MeterKey, Unit: pr.Rating.Unit, Quantity: u[pr.MeterKey]})
	}
	return out
}

func previewPlan(c *Console, ec echo.Context, se *session) error {
	f := formState{Values: ec.QueryParams(), Errors: map[string]string{}}
	qv, err := c.draftQuote(ec, se, &f)
	if err != nil {
		return err
	}
	return c.partial(ec, "plan_new", "quote", qv)
}

func createPlan(c *Console, ec echo.Context, se *session) error {
	ctx, err := c.ctx(ec, se)
	if err != nil {
		return err
	}
	f := newForm(ec)
	in := planInput(&f)
	var p plans.Plan
	if err = f.err(); err == nil {
		p, err = c.svc.Plans.Create(ctx, se.TenantID, in)
	}
	if err != nil {
		status, ok := f.refuse(err)
		if !ok {
			return err
		}
		page, perr := c.planForm(ec, se, f)
		if perr != nil {
			return perr
		}
		page.Quote.Message = "Fix the plan to see what it costs."
		return c.render(ec, status, "plan_new", page)
	}
	return ec.Redirect(http.StatusSeeOther, doneURL("/console/plans/"+p.ID, "plan"))
}
