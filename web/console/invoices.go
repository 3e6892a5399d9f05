package console

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/invoicing"
)

type invoicesPage struct {
	base
	Filter    formState
	Invoices  []invoiceRow
	Next      string
	Statuses  []string
	Customers map[string]customers.Customer
}

type invoiceRow struct {
	invoicing.Invoice
	Customer customers.Customer
	Zone     string
}

var invoiceStatuses = []string{"draft", "finalized", "paid", "void", "uncollectible"}

// periodScan bounds how many invoices a period filter reads.
const periodScan = 2000

// listInvoices lists invoices filtered by status and customer (the
// service's query, as GET /v1/invoices) and by period: invoices whose
// period starts in [from, to), dates in UTC.
func listInvoices(c *Console, ec echo.Context, se *session) error {
	ctx, err := c.ctx(ec, se)
	if err != nil {
		return err
	}
	f := formState{Values: ec.QueryParams(), Errors: map[string]string{}}
	from, to := f.timeField("from", "from", time.UTC), f.timeField("to", "to", time.UTC)
	p := invoicesPage{base: c.newBase(ec, se, "invoices"), Filter: f, Statuses: invoiceStatuses}
	q := invoicing.Query{Status: invoicing.Status(f.V("status")), CustomerID: strings.TrimSpace(f.V("customer"))}
	if q.CustomerID != "" { // an id, or else the customer's external id
		if _, err := c.svc.Customers.Get(ctx, se.TenantID, q.CustomerID); domain.KindOf(err) == domain.KindNotFound {
			if cu, err := c.svc.Customers.GetByExternalID(ctx, se.TenantID, q.CustomerID); err == nil {
				q.CustomerID = cu.ID
			}
		}
	}
	page := pageOf(ec, 50)
	cache := map[string]customers.Customer{}
	for scanned := 0; ; {
		l, err := c.svc.Invoicing.List(ctx, se.TenantID, q, page)
		if err != nil {
			if _, ok := p.Filter.refuse(err); ok {
				return c.render(ec, http.StatusUnprocessableEntity, "invoices", p)
			}
			return err
		}
		for _, inv := range l.Data {
			if from != nil && inv.Period.Start.Before(*from) || to != nil && !inv.Period.Start.Before(*to) {
				continue
			}
			cu, ok := cache[inv.CustomerID]
			if !ok {
				if cu, err = c.svc.Customers.Get(ctx, se.TenantID, inv.CustomerID); err != nil {
					return err
				}
				cache[inv.CustomerID] = cu
			}
			p.Invoices = append(p.Invoices, invoiceRow{Invoice: inv, Customer: cu, Zone: zoneOf(cu)})
		}
		scanned += len(l.Data)
		p.Next = nextURL(ec, l.NextCursor)
		if from == nil && to == nil || l.NextCursor == "" || len(p.Invoices) >= 50 || scanned >= periodScan {
			break
		}
		page.Cursor = l.NextCursor
	}
	return c.render(ec, http.StatusOK, "invoices", p)
}

func zoneOf(cu customers.Customer) string {
	if cu.Timezone == "" {
		return "UTC"
	}
	return cu.Timezone
}

type invoicePage struct {
	base
	Invoice       invoicing.Invoice
	Customer      customers.Customer
	Zone          string
	StripeEnabled bool
	StripeURL     string
}

func showInvoice(c *Console, ec echo.Context, se *session) error {
	ctx, err := c.ctx(ec, se)
	if err != nil {
		return err
	}
	inv, err := c.svc.Invoicing.Get(ctx, se.TenantID, ec.Param("id"))
	if err != nil {
		return err
	}
	cu, err := c.svc.Customers.Get(ctx, se.TenantID, inv.CustomerID)
	if err != nil {
		return err
	}
	p := invoicePage{base: c.newBase(ec, se, "invoices"), Invoice: inv, Customer: cu, Zone: zoneOf(cu), StripeEnabled: c.svc.Stripe != nil && c.svc.Stripe.Enabled()}
	if inv.StripeInvoiceID != nil {
		p.StripeURL = "https://dashboard.stripe.com/invoices/" + *inv.StripeInvoiceID
	}
	return c.render(ec, http.StatusOK, "invoice", p)
}

// invoiceAction runs one invoice action as the API's POST
// /v1/invoices/{id}/<action> does, then shows the invoice (a regenerated
// invoice shows its replacement). A refused action (a conflict: voiding a
// paid invoice) is the error page with its reason.
func invoiceAction(action string) handler {
	return func(c *Console, ec echo.Context, se *session) error {
		ctx, err := c.ctx(ec, se)
		if err != nil {
			return err
		}
		id := ec.Param("id")
		if _, err := c.svc.Invoicing.Get(ctx, se.TenantID, id); err != nil {
			return err
		}
		var inv invoicing.Invoice
		done := ""
		switch action {
		case "finalize":
			inv, err = c.svc.Invoicing.Finalize(ctx, se.TenantID, id)
			done = "finalized"
		case "void":
			inv, err = c.svc.Invoicing.Transition(ctx, se.TenantID, id, invoicing.Void)
			done = "voided"
		case "regenerate":
			inv, err = c.svc.Invoicing.Regenerate(ctx, se.TenantID, id)
			done = "regen"
		case "sync":
			if c.svc.Stripe == nil || !c.svc.Stripe.Enabled() {
				return domain.Conflict("stripe_disabled", "Stripe is not configured: set STRIPE_API_KEY to sync invoices")
			}
			inv, err = c.svc.Stripe.Sync(ctx, se.TenantID, id)
			done = "synced"
		}
		if err != nil {
			return err
		}
		return ec.Redirect(http.StatusSeeOther, doneURL("/console/invoices/"+inv.ID, done))
	}
}
