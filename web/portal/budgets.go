package portal

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/budgets"
	"github.com/tallyhq/tally/domain"
)

// budgetView is one budget with its progress in the open period, as
// budgets evaluates it (Budget.Percent of the same reading).
type budgetView struct {
	ID, What, Limit, Used string
	Percent               string // "42.5" (exact to one decimal)
	Bar                   int    // 0…100 for the progress bar
	Level                 string // "", "warn" (a threshold passed) or "bad" (the limit)
	Thresholds            []int
	Reached               []int
	Period                bool // false: no open period to measure
}

func (p *Portal) budgetViews(c echo.Context, b base, f formatter) ([]budgetView, error) {
	s := sessionOf(c)
	ctx := c.Request().Context()
	bs, err := p.svc.Budgets.List(ctx, s.token.TenantID, b.Customer.ID)
	if err != nil || len(bs) == 0 {
		return nil, err
	}
	rd, open, err := p.svc.Budgets.Read(ctx, s.token.TenantID, b.Customer.ID)
	if err != nil {
		return nil, err
	}
	out := make([]budgetView, 0, len(bs))
	for _, bu := range bs {
		v := budgetView{ID: bu.ID, Thresholds: bu.Thresholds, Period: open}
		value, kind := bu.Value(rd)
		if kind == "usage" {
			v.What = "Usage of " + bu.Meter
			v.Limit, v.Used = f.qty(bu.Limit), f.qty(value)
		} else {
			v.What = "Spend"
			v.Limit, v.Used = f.money(bu.Limit).Text, f.money(value).Text
		}
		if open {
			pct := bu.Percent(rd)
			v.Percent = pct.Round(1).String()
			v.Bar = int(decimal.Min(pct, decimal.NewFromInt(100)).IntPart())
			for _, t := range bu.Thresholds {
				if pct.GreaterThanOrEqual(decimal.NewFromInt(int64(t))) {
					v.Reached = append(v.Reached, t)
				}
			}
			switch {
			case pct.GreaterThanOrEqual(decimal.NewFromInt(100)):
				v.Level = "bad"
			case len(v.Reached) > 0:
				v.Level = "warn"
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// budgetForm is the create form, as typed, with its errors by field.
type budgetForm struct {
	Kind, Amount, Meter, Quantity, Thresholds string
	Errors                                    map[string]string
}

type budgetsData struct {
	base
	Budgets []budgetView
	Meters  []meterOption
	Form    budgetForm
	Created bool
}

type meterOption struct{ Key, Name string }

// meterOptions are the meters the customer's current plans price: the
// ones a usage budget can watch.
func (p *Portal) meterOptions(c echo.Context, b base) ([]meterOption, error) {
	s := sessionOf(c)
	scs, err := p.subscriptions(c.Request().Context(), s.token.TenantID, b.Customer.ID)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var keys []string
	for _, sc := range scs {
		if sc.Subscription.StatusAt(b.Now) == "ended" {
			continue
		}
		for _, pr := range sc.Plan.Prices {
			if pr.MeterKey != "" && !seen[pr.MeterKey] {
				seen[pr.MeterKey] = true
				keys = append(keys, pr.MeterKey)
			}
		}
	}
	if len(keys) == 0 {
		return nil, nil
	}
	ms, err := p.svc.Meters.ByKeys(c.Request().Context(), s.token.TenantID, keys)
	if err != nil {
		return nil, err
	}
	var out []meterOption
	for _, k := range keys {
		if m, ok := ms[k]; ok {
			name := m.Name
			if name == "" {
				name = m.Key
			}
			out = append(out, meterOption{Key: k, Name: name})
		}
	}
	return out, nil
}

func (p *Portal) budgetsPage(c echo.Context, status int, form budgetForm, created bool) error {
	b, f, err := p.base(c, "budgets")
	if err != nil {
		return err
	}
	d := budgetsData{base: b, Form: form, Created: created}
	if d.Budgets, err = p.budgetViews(c, b, f); err != nil {
		return err
	}
	if d.Meters, err = p.meterOptions(c, b); err != nil {
		return err
	}
	if d.Form.Kind == "" {
		d.Form.Kind = "spend"
	}
	if d.Form.Thresholds == "" {
		d.Form.Thresholds = "50, 80, 100"
	}
	return p.render(c, status, "budgets", d)
}

func (p *Portal) budgets(c echo.Context) error {
	return p.budgetsPage(c, http.StatusOK, budgetForm{}, c.QueryParam("created") == "1")
}

// createBudget stores the form's budget through budgets.Create (its
// validation is the API's); a problem re-shows the form with each field's
// message and stores nothing.
func (p *Portal) createBudget(c echo.Context) error {
	form := budgetForm{Kind: c.FormValue("kind"), Amount: strings.TrimSpace(c.FormValue("amount")), Meter: c.FormValue("meter"),
		Quantity: strings.TrimSpace(c.FormValue("quantity")), Thresholds: c.FormValue("thresholds"), Errors: map[string]string{}}
	var in budgets.Input
	parse := func(field, s string) *decimal.Decimal {
		if s == "" {
			return nil
		}
		d, err := decimal.NewFromString(strings.ReplaceAll(s, ",", ""))
		if err != nil {
			form.Errors[field] = "must be a number such as 100 or 12.50"
			return nil
		}
		return &d
	}
	if form.Kind == "usage" {
		in.Meter, in.Quantity = form.Meter, parse("quantity", form.Quantity)
		if in.Meter == "" {
			form.Errors["meter"] = "choose what to watch"
		}
	} else {
		in.Amount = parse("amount", form.Amount)
	}
	for _, part := range strings.FieldsFunc(form.Thresholds, func(r rune) bool { return r == ',' || r == ' ' || r == '%' }) {
		n, err := strconv.Atoi(part)
		if err != nil {
			form.Errors["thresholds"] = "must be whole percentages separated by commas, such as 50, 80, 100"
			break
		}
		in.Thresholds = append(in.Thresholds, n)
	}
	b, _, err := p.base(c, "budgets")
	if err != nil {
		return err
	}
	if len(form.Errors) == 0 {
		opts, err := p.meterOptions(c, b)
		if err != nil {
			return err
		}
		if in.Meter != "" && !hasMeter(opts, in.Meter) {
			form.Errors["meter"] = "is not one of your plan's meters"
		}
	}
	if len(form.Errors) == 0 {
		s := sessionOf(c)
		_, err := p.svc.Budgets.Create(c.Request().Context(), s.token.TenantID, b.Customer.ID, in)
		if de, ok := domain.AsError(err); ok && de.Kind == domain.KindValidation {
			for _, fe := range de.Fields {
				form.Errors[fe.Field] = fe.Message
			}
		} else if err != nil {
			return err
		} else {
			if p.svc.BudgetWorker != nil { // a budget already crossed reports at once
				p.svc.BudgetWorker.Touch(s.token.TenantID, []string{b.Customer.ExternalID})
			}
			return c.Redirect(http.StatusSeeOther, Base+"/budgets?created=1")
		}
	}
	return p.budgetsPage(c, http.StatusUnprocessableEntity, form, false)
}

func hasMeter(opts []meterOption, key string) bool {
	for _, o := range opts {
		if o.Key == key {
			return true
		}
	}
	return false
}

func (p *Portal) deleteBudget(c echo.Context) error {
	s := sessionOf(c)
	if _, err := p.svc.Budgets.Delete(c.Request().Context(), s.token.TenantID, s.token.CustomerID, c.Param("id")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, Base+"/budgets")
}
