package console

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/tallyhq/tally/budgets"
	"github.com/tallyhq/tally/domain"
)

// createBudget creates a budget of the customer, as
// POST /v1/customers/{id}/budgets does: kind "spend" (an amount of the
// customer's currency) or "usage" (a quantity of one meter), a period
// (default the billing period) and threshold percentages (default the
// service's). A meter must be one of the tenant's; a budget already
// crossed reports at once (the budget worker is touched).
func createBudget(c *Console, ec echo.Context, se *session) error {
	ctx, err := c.ctx(ec, se)
	if err != nil {
		return err
	}
	cu, err := c.svc.Customers.Get(ctx, se.TenantID, ec.Param("id"))
	if err != nil {
		return err
	}
	f := newForm(ec)
	in := budgets.Input{Period: strings.TrimSpace(f.V("period"))}
	if f.V("kind") == "usage" {
		in.Meter, in.Quantity = strings.TrimSpace(f.V("meter")), f.decimalField("quantity", "quantity")
		if in.Meter == "" {
			f.add("meter", "choose the meter to watch")
		}
	} else {
		in.Amount = f.decimalField("amount", "amount")
	}
	for i, part := range strings.FieldsFunc(f.V("thresholds"), func(r rune) bool { return r == ',' || r == ' ' || r == '%' }) {
		n, err := strconv.Atoi(part)
		if err != nil {
			f.add("thresholds["+strconv.Itoa(i)+"]", "must be a whole percentage, such as 50, 80, 100")
			continue
		}
		in.Thresholds = append(in.Thresholds, n)
	}
	if err = f.err(); err == nil && in.Meter != "" {
		ms, lookErr := c.svc.Meters.ByKeys(ctx, se.TenantID, []string{in.Meter})
		if _, ok := ms[in.Meter]; lookErr == nil && !ok {
			lookErr = domain.Invalid("meter", "unknown meter %q", in.Meter)
		}
		err = lookErr
	}
	if err == nil {
		_, err = c.svc.Budgets.Create(ctx, se.TenantID, cu.ID, in)
	}
	if err != nil {
		return c.again(ec, se, cu.ID, "budget", f, err)
	}
	if c.svc.BudgetWorker != nil {
		c.svc.BudgetWorker.Touch(se.TenantID, []string{cu.ExternalID})
	}
	return ec.Redirect(http.StatusSeeOther, doneURL("/console/customers/"+cu.ID, "budgeted"))
}

// deleteBudget deletes a budget and its crossings, as
// DELETE /v1/customers/{id}/budgets/{budget} does; the form names the
// budget's customer (another customer's, or another tenant's, budget is
// not found).
func deleteBudget(c *Console, ec echo.Context, se *session) error {
	ctx, err := c.ctx(ec, se)
	if err != nil {
		return err
	}
	customer := newForm(ec).V("customer")
	if _, err := c.svc.Budgets.Delete(ctx, se.TenantID, customer, ec.Param("id")); err != nil {
		return err
	}
	return ec.Redirect(http.StatusSeeOther, doneURL("/console/customers/"+customer, "budget_deleted"))
}
