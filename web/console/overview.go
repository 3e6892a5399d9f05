package console

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/invoicing"
)

type overviewPage struct {
	base
	TenantName                       string
	TestClock                        bool
	Now                              time.Time
	Meters, Plans, Customers, Drafts string
}

// countOf writes how many items a first page of 100 holds ("100+" beyond).
func countOf[T any](l domain.List[T], err error) (string, error) {
	if err != nil {
		return "", err
	}
	n := strconv.Itoa(len(l.Data))
	if l.NextCursor != "" {
		n += "+"
	}
	return n, nil
}

func overview(c *Console, ec echo.Context, se *session) error {
	ctx, err := c.ctx(ec, se)
	if err != nil {
		return err
	}
	p := overviewPage{base: c.newBase(ec, se, "overview"), Now: c.clock.Now(ctx)}
	if t, err := c.svc.Tenants.GetTenant(ctx, se.TenantID); err == nil {
		p.TenantName = t.Name
	}
	_, p.TestClock = domain.NowFrom(ctx)
	pg := domain.Page{Limit: 100}
	if p.Meters, err = countOf(c.svc.Meters.List(ctx, se.TenantID, pg, false)); err != nil {
		return err
	}
	if p.Plans, err = countOf(c.svc.Plans.List(ctx, se.TenantID, pg, false)); err != nil {
		return err
	}
	if p.Customers, err = countOf(c.svc.Customers.List(ctx, se.TenantID, pg)); err != nil {
		return err
	}
	if p.Drafts, err = countOf(c.svc.Invoicing.List(ctx, se.TenantID, invoicing.Query{Status: invoicing.Draft}, pg)); err != nil {
		return err
	}
	return c.render(ec, http.StatusOK, "overview", p)
}
