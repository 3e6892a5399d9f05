package console

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/tallyhq/tally/advisor"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/plans"
)

type backtestPage struct {
	base
	Form   formState
	Plans  []plans.Plan
	Rows   []advisor.BacktestRow
	Totals *advisor.BacktestTotals
}

// backtest re-prices the subscribers of one plan under another (a draft
// plan with no subscribers of its own, typically) over their whole periods
// in [from, to), as POST /v1/plans/{id}/backtest. It reads only, so it is a
// GET form.
func backtest(c *Console, ec echo.Context, se *session) error {
	ctx, err := c.ctx(ec, se)
	if err != nil {
		return err
	}
	f := formState{Values: ec.QueryParams(), Errors: map[string]string{}}
	pl, err := c.svc.Plans.List(ctx, se.TenantID, domain.Page{Limit: 100}, false)
	if err != nil {
		return err
	}
	p := backtestPage{base: c.newBase(ec, se, "backtest"), Form: f, Plans: pl.Data}
	now := c.clock.Now(ctx)
	if f.V("to") == "" {
		f.Values.Set("to", now.UTC().Format("2006-01-02"))
	}
	if f.V("from") == "" {
		f.Values.Set("from", now.UTC().AddDate(0, -3, 0).Format("2006-01-02"))
	}
	if f.V("against") == "" && f.V("plan") == "" && len(pl.Data) > 1 { // a first visit: two different plans preselected
		f.Values.Set("against", pl.Data[1].Key)
		return c.render(ec, http.StatusOK, "backtest", p)
	}
	if f.V("plan") == "" || f.V("against") == "" {
		return c.render(ec, http.StatusOK, "backtest", p)
	}
	from, to := p.Form.timeField("from", "from", time.UTC), p.Form.timeField("to", "to", time.UTC)
	if err := p.Form.err(); err != nil {
		status, _ := p.Form.refuse(err)
		return c.render(ec, status, "backtest", p)
	}
	in := advisor.BacktestInput{Against: f.V("against"), From: *from, To: *to}
	tot, err := c.svc.Advisor.Backtest(ctx, se.TenantID, f.V("plan"), in, func(r advisor.BacktestRow) error {
		p.Rows = append(p.Rows, r)
		return nil
	})
	if err != nil {
		status, ok := p.Form.refuse(err)
		if !ok {
			if domain.KindOf(err) != domain.KindNotFound {
				return err
			}
			p.Form.Message, status = err.Error(), http.StatusNotFound
		}
		return c.render(ec, status, "backtest", p)
	}
	p.Totals = &tot
	return c.render(ec, http.StatusOK, "backtest", p)
}
