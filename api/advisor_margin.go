package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/tallyhq/tally/advisor"
	"github.com/tallyhq/tally/domain"
)

type costLineJSON struct {
	Meter       string `json:"meter"`
	Quantity    string `json:"quantity" openapi:"decimal"`
	CostPerUnit string `json:"cost_per_unit" openapi:"decimal"`
	Currency    string `json:"currency"`
	Amount      string `json:"amount" openapi:"decimal" doc:"quantity × cost_per_unit, rounded once to the currency."`
}

type marginTotalJSON struct {
	Currency string `json:"currency"`
	Revenue  string `json:"revenue" openapi:"decimal"`
	Cost     string `json:"cost" openapi:"decimal"`
	Margin   string `json:"margin" openapi:"decimal" doc:"revenue − cost."`
}

// marginJSON is GET /v1/customers/{id}/margin.
type marginJSON struct {
	Customer string            `json:"customer"`
	From     time.Time         `json:"from"`
	To       time.Time         `json:"to"`
	Costs    []costLineJSON    `json:"costs" doc:"Per meter that declares cost_per_unit: the customer's usage over the window and what serving it cost."`
	Totals   []marginTotalJSON `json:"totals" doc:"Per currency: revenue (lines of its subscription invoices, not void, whose period lies inside the window, before credits), cost and margin."`
}

func costLinesJSON(list []advisor.CostLine) []costLineJSON {
	out := make([]costLineJSON, len(list))
	for i, l := range list {
		out[i] = costLineJSON{Meter: l.Meter, Quantity: l.Quantity.String(), CostPerUnit: l.PerUnit.String(), Currency: string(l.Currency), Amount: l.Currency.Format(l.Amount)}
	}
	return out
}

func (s *Server) customerMargin(c echo.Context) error {
	if s.Advisor == nil {
		return domain.Conflict("advisor_unavailable", "the plan advisor is not configured")
	}
	// Ownership first: another tenant's customer is a 404 whatever the query.
	if _, err := s.Customers.Get(c.Request().Context(), tenantOf(c), c.Param("id")); err != nil {
		return err
	}
	from, err := queryTime(c, "from")
	if err != nil {
		return err
	}
	to, err := queryTime(c, "to")
	if err != nil {
		return err
	}
	var f, t time.Time
	if from != nil {
		f = *from
	}
	if to != nil {
		t = *to
	}
	m, err := s.Advisor.Margin(c.Request().Context(), tenantOf(c), c.Param("id"), f, t)
	if err != nil {
		return err
	}
	out := marginJSON{Customer: m.Customer.ID, From: m.From.UTC(), To: m.To.UTC(), Costs: []costLineJSON{}, Totals: []marginTotalJSON{}}
	out.Costs = costLinesJSON(m.Costs)
	for _, x := range m.Totals {
		out.Totals = append(out.Totals, marginTotalJSON{Currency: string(x.Currency), Revenue: x.Currency.Format(x.Revenue), Cost: x.Currency.Format(x.Cost), Margin: x.Currency.Format(x.Margin)})
	}
	return c.JSON(http.StatusOK, out)
}
