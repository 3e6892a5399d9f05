package console

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/tallyhq/tally/invoicing"
)

type runPage struct {
	base
	Form formState
	Run  *invoicing.Run
}

func newRun(c *Console, ec echo.Context, se *session) error {
	return c.render(ec, http.StatusOK, "run", runPage{base: c.newBase(ec, se, "invoices"), Form: formState{Values: ec.QueryParams(), Errors: map[string]string{}}})
}

// startRun starts an invoice run in the background (as POST
// /v1/invoice_runs without wait) and shows its progress page.
func startRun(c *Console, ec echo.Context, se *session) error {
	ctx, err := c.ctx(ec, se)
	if err != nil {
		return err
	}
	f := newForm(ec)
	asOf := f.timeField("as_of", "as_of", time.UTC)
	var run invoicing.Run
	if err = f.err(); err == nil {
		run, err = c.svc.Invoicing.StartRun(ctx, se.TenantID, asOf, false)
	}
	if err != nil {
		status, ok := f.refuse(err)
		if !ok {
			return err
		}
		return c.render(ec, status, "run", runPage{base: c.newBase(ec, se, "invoices"), Form: f})
	}
	return ec.Redirect(http.StatusSeeOther, "/console/runs/"+run.ID)
}

func (c *Console) run(ec echo.Context, se *session) (invoicing.Run, error) {
	ctx, err := c.ctx(ec, se)
	if err != nil {
		return invoicing.Run{}, err
	}
	return c.svc.Invoicing.GetRun(ctx, se.TenantID, ec.Param("id"))
}

func showRun(c *Console, ec echo.Context, se *session) error {
	run, err := c.run(ec, se)
	if err != nil {
		return err
	}
	return c.render(ec, http.StatusOK, "run", runPage{base: c.newBase(ec, se, "invoices"), Run: &run})
}

// runProgress is the live part of the run page (data-refresh).
func runProgress(c *Console, ec echo.Context, se *session) error {
	run, err := c.run(ec, se)
	if err != nil {
		return err
	}
	return c.partial(ec, "run", "progress", run)
}
