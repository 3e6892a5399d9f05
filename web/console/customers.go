package console

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/domain"
)

type customersPage struct {
	base
	Query     string
	Customers []customers.Customer
	Next      string
	Scanned   bool
}

// searchScan bounds how many customers a search reads (pages of 500).
const searchScan = 5000

// listCustomers lists customers; ?q= finds one by its external id
// exactly, or else those whose name, email or external id contain q
// (case-insensitive, among the first searchScan).
func listCustomers(c *Console, ec echo.Context, se *session) error {
	ctx, err := c.ctx(ec, se)
	if err != nil {
		return err
	}
	p := customersPage{base: c.newBase(ec, se, "customers"), Query: strings.TrimSpace(ec.QueryParam("q"))}
	if p.Query == "" {
		l, err := c.svc.Customers.List(ctx, se.TenantID, pageOf(ec, 50))
		if err != nil {
			return err
		}
		p.Customers, p.Next = l.Data, nextURL(ec, l.NextCursor)
		return c.render(ec, http.StatusOK, "customers", p)
	}
	if cu, err := c.svc.Customers.GetByExternalID(ctx, se.TenantID, p.Query); err == nil {
		p.Customers = []customers.Customer{cu}
		return c.render(ec, http.StatusOK, "customers", p)
	} else if domain.KindOf(err) != domain.KindNotFound {
		return err
	}
	q := strings.ToLower(p.Query)
	page := domain.Page{Limit: 500}
	for seen := 0; seen < searchScan; {
		l, err := c.svc.Customers.List(ctx, se.TenantID, page)
		if err != nil {
			return err
		}
		for _, cu := range l.Data {
			if strings.Contains(strings.ToLower(cu.Name+" "+cu.Email+" "+cu.ExternalID), q) {
				p.Customers = append(p.Customers, cu)
			}
		}
		seen += len(l.Data)
		if l.NextCursor == "" {
			break
		}
		page.Cursor = l.NextCursor
		p.Scanned = seen >= searchScan
	}
	return c.render(ec, http.StatusOK, "customers", p)
}

type customerForm struct {
	base
	Form formState
}

func newCustomer(c *Console, ec echo.Context, se *session) error {
	f := formState{Values: ec.QueryParams(), Errors: map[string]string{}}
	if f.V("currency") == "" {
		f.Values.Set("currency", "USD")
	}
	if f.V("timezone") == "" {
		f.Values.Set("timezone", "UTC")
	}
	return c.render(ec, http.StatusOK, "customer_new", customerForm{base: c.newBase(ec, se, "customers"), Form: f})
}

func createCustomer(c *Console, ec echo.Context, se *session) error {
	ctx, err := c.ctx(ec, se)
	if err != nil {
		return err
	}
	f := newForm(ec)
	cu, err := c.svc.Customers.Create(ctx, se.TenantID, customers.CreateInput{ExternalID: strings.TrimSpace(f.V("external_id")), Name: f.V("name"),
		Email: strings.TrimSpace(f.V("email")), Currency: strings.ToUpper(strings.TrimSpace(f.V("currency"))), Timezone: strings.TrimSpace(f.V("timezone"))})
	if err != nil {
		status, ok := f.refuse(err)
		if !ok {
			return err
		}
		return c.render(ec, status, "customer_new", customerForm{base: c.newBase(ec, se, "customers"), Form: f})
	}
	return ec.Redirect(http.StatusSeeOther, doneURL("/console/customers/"+cu.ID, "customer"))
}
