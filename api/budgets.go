package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/budgets"
	"github.com/tallyhq/tally/domain"
)

// budgetReq is POST /v1/customers/{id}/budgets: amount (a spend budget on
// the proposed invoice total, in the customer's currency) or meter with
// quantity (a usage budget on that meter's quantity), per billing period.
type budgetReq struct {
	Meter      string           `json:"meter" doc:"A meter key: a usage budget (give quantity). Absent: a spend budget (give amount)."`
	Amount     *decimal.Decimal `json:"amount" doc:"The spend limit, in the customer's currency."`
	Quantity   *decimal.Decimal `json:"quantity" doc:"The usage limit, in the meter's unit."`
	Period     string           `json:"period" openapi:"enum=budget_period" doc:"Default billing_period."`
	Thresholds []int            `json:"thresholds" doc:"Percentages of the limit to report (1 to 1000), default [50, 80, 100]."`
}

// budgetJSON is a budget: crossing each threshold in a billing period
// sends budget.threshold_reached once in that period.
type budgetJSON struct {
	ID         string  `json:"id"`
	CustomerID string  `json:"customer_id"`
	Kind       string  `json:"kind" openapi:"enum=budget_kind"`
	Meter      *string `json:"meter"`
	Amount     *string `json:"amount" openapi:"decimal"`
	Quantity   *string `json:"quantity" openapi:"decimal"`
	Period     string  `json:"period" openapi:"enum=budget_period"`
	Thresholds []int   `json:"thresholds"`
	CreatedAt  string  `json:"created_at" openapi:"date-time"`
}

// budgetListJSON is every budget of a customer, oldest first (a customer
// has few; the list is not paged).
type budgetListJSON struct {
	Data []budgetJSON `json:"data"`
}

func toBudgetJSON(b budgets.Budget) budgetJSON {
	out := budgetJSON{ID: b.ID, CustomerID: b.CustomerID, Kind: "spend", Period: b.Period, Thresholds: b.Thresholds, CreatedAt: fmtTime(b.CreatedAt)}
	limit := b.Limit.String()
	if b.Meter != "" {
		out.Kind, out.Meter, out.Quantity = "usage", strPtr(b.Meter), &limit
	} else {
		out.Amount = &limit
	}
	if out.Thresholds == nil {
		out.Thresholds = []int{}
	}
	return out
}

func (s *Server) createBudget(c echo.Context) error { return s.writeNewBudget(c, c.Param("id")) }

// writeNewBudget creates a budget of a customer from the request body
// (admin and portal routes).
func (s *Server) writeNewBudget(c echo.Context, customerID string) error {
	var req budgetReq
	if err := decode(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	cu, err := s.Customers.Get(ctx, tenantOf(c), customerID)
	if err != nil {
		return err
	}
	if req.Meter != "" {
		ms, err := s.Meters.ByKeys(ctx, tenantOf(c), []string{req.Meter})
		if err != nil {
			return err
		}
		if _, ok := ms[req.Meter]; !ok {
			return domain.Invalid("meter", "unknown meter %q", req.Meter)
		}
	}
	b, err := s.Budgets.Create(ctx, tenantOf(c), cu.ID, budgets.Input{Meter: req.Meter, Amount: req.Amount, Quantity: req.Quantity, Period: req.Period, Thresholds: req.Thresholds})
	if err != nil {
		return err
	}
	if s.BudgetWorker != nil { // a budget already crossed reports at once
		s.BudgetWorker.Touch(tenantOf(c), []string{cu.ExternalID})
	}
	return c.JSON(http.StatusCreated, toBudgetJSON(b))
}

func (s *Server) listBudgets(c echo.Context) error { return s.writeBudgets(c, c.Param("id")) }

// writeBudgets answers a customer's budgets (admin and portal routes).
func (s *Server) writeBudgets(c echo.Context, customerID string) error {
	ctx := c.Request().Context()
	cu, err := s.Customers.Get(ctx, tenantOf(c), customerID)
	if err != nil {
		return err
	}
	bs, err := s.Budgets.List(ctx, tenantOf(c), cu.ID)
	if err != nil {
		return err
	}
	out := budgetListJSON{Data: make([]budgetJSON, len(bs))}
	for i, b := range bs {
		out.Data[i] = toBudgetJSON(b)
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) deleteBudget(c echo.Context) error {
	return s.writeDeletedBudget(c, c.Param("id"))
}

// writeDeletedBudget deletes one of a customer's budgets, named by the
// :budget_id path parameter (admin and portal routes).
func (s *Server) writeDeletedBudget(c echo.Context, customerID string) error {
	ctx := c.Request().Context()
	cu, err := s.Customers.Get(ctx, tenantOf(c), customerID)
	if err != nil {
		return err
	}
	b, err := s.Budgets.Delete(ctx, tenantOf(c), cu.ID, c.Param("budget_id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toBudgetJSON(b))
}
