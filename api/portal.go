package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
)

// The /v1/portal/* routes act on the one customer of the caller's portal
// token. Each calls the same writer as its admin twin, with the token's
// customer in place of the path's, so the numbers are the admin API's.

func (s *Server) portalCustomer(c echo.Context) error { return s.writeCustomer(c, customerOf(c)) }

func (s *Server) portalProposedInvoices(c echo.Context) error {
	return s.writeProposedInvoices(c, customerOf(c))
}

func (s *Server) portalInvoices(c echo.Context) error { return s.writeInvoices(c, customerOf(c)) }

// portalInvoice answers one invoice of the token's customer; another
// customer's invoice is not found, as another tenant's is.
func (s *Server) portalInvoice(c echo.Context) error {
	inv, err := s.Invoicing.Get(c.Request().Context(), tenantOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	if inv.CustomerID != customerOf(c) {
		return domain.NotFound("invoice", c.Param("id"))
	}
	return s.writeInvoice(c, inv)
}

func (s *Server) portalCreditBalance(c echo.Context) error {
	return s.writeCreditBalance(c, customerOf(c))
}

func (s *Server) portalRecommendation(c echo.Context) error {
	return s.writeRecommendation(c, customerOf(c), false)
}

func (s *Server) portalBudgets(c echo.Context) error { return s.writeBudgets(c, customerOf(c)) }

func (s *Server) portalCreateBudget(c echo.Context) error { return s.writeNewBudget(c, customerOf(c)) }

func (s *Server) portalDeleteBudget(c echo.Context) error {
	return s.writeDeletedBudget(c, customerOf(c))
}

// accrualJSON is what one subscription's proposed invoice charges for a
// meter so far in its current period.
type accrualJSON struct {
	SubscriptionID string `json:"subscription_id"`
	Currency       string `json:"currency"`
	PeriodStart    string `json:"period_start" openapi:"date-time"`
	PeriodEnd      string `json:"period_end" openapi:"date-time"`
	Quantity       string `json:"quantity" openapi:"decimal" doc:"The meter's quantity the invoice prices (the first of its lines on the meter)."`
	Amount         string `json:"amount" openapi:"decimal" doc:"The sum of the proposed invoice's lines on the meter, before credits."`
	CreditsApplied string `json:"credits_applied" openapi:"decimal" doc:"What prepaid credit would pay of those lines."`
}

// portalUsageJSON is GET /v1/portal/usage: the meter's series (as GET
// /v1/customers/{id}/usage, buckets in the customer's zone) and the amount
// accruing for it on each active subscription's proposed invoice.
type portalUsageJSON struct {
	Usage    seriesJSON    `json:"usage"`
	Timezone string        `json:"timezone" doc:"The customer's zone, in which the day buckets begin."`
	Accruing []accrualJSON `json:"accruing" doc:"One row per active subscription whose plan prices the meter; amounts are per period (tiers make a per-day amount meaningless)."`
}

func (s *Server) portalUsage(c echo.Context) error {
	series, err := s.usageSeries(c, customerOf(c))
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	cu, err := s.Customers.Get(ctx, tenantOf(c), customerOf(c))
	if err != nil {
		return err
	}
	invs, err := s.Invoicing.ProposedForCustomer(ctx, tenantOf(c), cu.ID, s.Clock.Now(ctx))
	if err != nil {
		return err
	}
	out := portalUsageJSON{Usage: series, Timezone: cu.Timezone, Accruing: []accrualJSON{}}
	for _, inv := range invs {
		var amount, credits decimal.Decimal
		var qty *decimal.Decimal
		for _, l := range inv.Lines {
			if l.Meter != series.Meter {
				continue
			}
			amount, credits = amount.Add(l.Amount), credits.Add(l.CreditsApplied)
			if qty == nil {
				q := l.Quantity
				qty = &q
			}
		}
		if qty == nil {
			continue
		}
		cur := inv.Currency
		out.Accruing = append(out.Accruing, accrualJSON{SubscriptionID: inv.SubscriptionID, Currency: string(cur),
			PeriodStart: fmtTime(inv.Period.Start), PeriodEnd: fmtTime(inv.Period.End), Quantity: qty.String(),
			Amount: cur.Format(amount), CreditsApplied: cur.Format(credits)})
	}
	return c.JSON(http.StatusOK, out)
}
