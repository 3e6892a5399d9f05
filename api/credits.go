package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/credits"
	"github.com/tallyhq/tally/domain"
)

type grantReq struct {
	Name           string           `json:"name"`
	Amount         *decimal.Decimal `json:"amount"`
	Unit           string           `json:"unit"`
	ConversionRate *decimal.Decimal `json:"conversion_rate"`
	Priority       *int             `json:"priority"`
	ExpiresAt      *time.Time       `json:"expires_at"`
}

type grantJSON struct {
	ID             string  `json:"id"`
	CustomerID     string  `json:"customer_id"`
	Name           string  `json:"name"`
	Unit           string  `json:"unit"`
	ConversionRate string  `json:"conversion_rate"`
	Amount         string  `json:"amount"`
	Remaining      string  `json:"remaining"`
	Value          string  `json:"value"`
	Priority       int     `json:"priority"`
	ExpiresAt      *string `json:"expires_at"`
	CreatedAt      string  `json:"created_at"`
	VoidedAt       *string `json:"voided_at"`
}

type grantListJSON struct {
	Data []grantJSON `json:"data"`
	// Balance is what the usable grants are worth now, in the currency.
	Balance  string `json:"balance"`
	Currency string `json:"currency"`
}

func toGrantJSON(g credits.Grant) grantJSON {
	return grantJSON{ID: g.ID, CustomerID: g.CustomerID, Name: g.Name, Unit: g.Unit, ConversionRate: g.ConversionRate.String(),
		Amount: g.Amount.String(), Remaining: g.Remaining.String(), Value: g.Value().String(), Priority: g.Priority,
		ExpiresAt: fmtTimePtr(g.ExpiresAt), CreatedAt: fmtTime(g.CreatedAt), VoidedAt: fmtTimePtr(g.VoidedAt)}
}

func (s *Server) createGrant(c echo.Context) error {
	var req grantReq
	if err := decode(c, &req); err != nil {
		return err
	}
	if err := domain.CheckTimePtr("expires_at", req.ExpiresAt); err != nil {
		return err
	}
	cu, err := s.Customers.Get(c.Request().Context(), tenantOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	g, err := s.Credits.Create(c.Request().Context(), tenantOf(c), cu.ID, cu.Currency, credits.CreateInput{Name: req.Name, Amount: req.Amount,
		Unit: req.Unit, ConversionRate: req.ConversionRate, Priority: req.Priority, ExpiresAt: req.ExpiresAt})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toGrantJSON(g))
}

func (s *Server) listGrants(c echo.Context) error {
	cu, err := s.Customers.Get(c.Request().Context(), tenantOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	grants, err := s.Credits.List(c.Request().Context(), tenantOf(c), cu.ID)
	if err != nil {
		return err
	}
	now := s.Clock.Now(c.Request().Context())
	out := grantListJSON{Data: make([]grantJSON, len(grants)), Currency: string(cu.Currency)}
	balance := decimal.Zero
	for i, g := range grants {
		out.Data[i] = toGrantJSON(g)
		if g.Usable(now) {
			balance = balance.Add(g.Value())
		}
	}
	out.Balance = balance.String()
	return c.JSON(http.StatusOK, out)
}

func (s *Server) voidGrant(c echo.Context) error {
	cu, err := s.Customers.Get(c.Request().Context(), tenantOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	g, err := s.Credits.Void(c.Request().Context(), tenantOf(c), cu.ID, c.Param("grant_id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toGrantJSON(g))
}
