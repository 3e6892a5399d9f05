package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/domain"
)

type customerReq struct {
	ExternalID string `json:"external_id" openapi:"required,min=1"`
	Name       string `json:"name"`
	Email      string `json:"email"`
	Currency   string `json:"currency" openapi:"required" doc:"ISO 4217 code."`
	Timezone   string `json:"timezone" doc:"IANA zone; default UTC."`
	// LowCreditThreshold is the customer's own credits.low level.
	LowCreditThreshold *lowCreditJSON `json:"low_credit_threshold" doc:"The customer's credits.low level; absent or null: the tenant's default (GET /v1/settings)."`
}

type customerUpdateReq struct {
	Name     *string `json:"name"`
	Email    *string `json:"email"`
	Currency *string `json:"currency"`
	Timezone *string `json:"timezone"`
	// LowCreditThreshold sets the customer's credits.low level; {} clears
	// it.
	LowCreditThreshold *lowCreditJSON `json:"low_credit_threshold" doc:"The customer's credits.low level; {} clears it (back to the tenant's default); absent or null: unchanged."`
}

type customerJSON struct {
	ID         string `json:"id"`
	ExternalID string `json:"external_id"`
	Name       string `json:"name"`
	Email      string `json:"email"`
	Currency   string `json:"currency"`
	Timezone   string `json:"timezone"`
	// LowCreditThreshold is null when the customer sets none.
	LowCreditThreshold *lowCreditJSON `json:"low_credit_threshold" doc:"The customer's own credits.low level; null: the tenant's default applies."`
	CreatedAt          string         `json:"created_at" openapi:"date-time"`
	UpdatedAt          string         `json:"updated_at" openapi:"date-time"`
}

func toCustomerJSON(c customers.Customer) customerJSON {
	return customerJSON{ID: c.ID, ExternalID: c.ExternalID, Name: c.Name, Email: c.Email, Currency: string(c.Currency),
		Timezone: c.Timezone, LowCreditThreshold: toLowCreditJSON(c.LowCreditThreshold), CreatedAt: fmtTime(c.CreatedAt), UpdatedAt: fmtTime(c.UpdatedAt)}
}

func (s *Server) createCustomer(c echo.Context) error {
	var req customerReq
	if err := decode(c, &req); err != nil {
		return err
	}
	cu, err := s.Customers.Create(c.Request().Context(), tenantOf(c), customers.CreateInput{ExternalID: req.ExternalID, Name: req.Name,
		Email: req.Email, Currency: req.Currency, Timezone: req.Timezone, LowCreditThreshold: req.LowCreditThreshold.toDomain()})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toCustomerJSON(cu))
}

func (s *Server) listCustomers(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	l, err := s.Customers.List(c.Request().Context(), tenantOf(c), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(l, toCustomerJSON))
}

func (s *Server) getCustomer(c echo.Context) error { return s.writeCustomer(c, c.Param("id")) }

// writeCustomer answers one customer of the caller's tenant (admin and
// portal routes).
func (s *Server) writeCustomer(c echo.Context, id string) error {
	cu, err := s.Customers.Get(c.Request().Context(), tenantOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toCustomerJSON(cu))
}

func (s *Server) updateCustomer(c echo.Context) error {
	var req customerUpdateReq
	if err := decode(c, &req); err != nil {
		return err
	}
	cu, err := s.Customers.Update(c.Request().Context(), tenantOf(c), c.Param("id"), customers.UpdateInput{Name: req.Name, Email: req.Email,
		Currency: req.Currency, Timezone: req.Timezone, LowCreditThreshold: req.LowCreditThreshold.toDomain()})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toCustomerJSON(cu))
}

type subscriptionReq struct {
	Customer     string     `json:"customer" openapi:"required" doc:"The customer's external_id."`
	Plan         string     `json:"plan" openapi:"required" doc:"The plan's key."`
	StartAt      *time.Time `json:"start_at"`
	BillingCycle string     `json:"billing_cycle" openapi:"enum=billing_cycle"`
	TrialDays    int        `json:"trial_days" openapi:"min=0"`
	ExternalID   string     `json:"external_id"`
}

type periodJSON struct {
	Start string `json:"start" openapi:"date-time"`
	End   string `json:"end" openapi:"date-time"`
}

type subscriptionJSON struct {
	ID            string      `json:"id"`
	ExternalID    *string     `json:"external_id"`
	Customer      string      `json:"customer"`
	CustomerID    string      `json:"customer_id"`
	Plan          string      `json:"plan"`
	PlanID        string      `json:"plan_id"`
	Status        string      `json:"status" openapi:"enum=subscription_status"`
	StartAt       string      `json:"start_at" openapi:"date-time"`
	BillingCycle  string      `json:"billing_cycle" openapi:"enum=billing_cycle"`
	TrialDays     int         `json:"trial_days"`
	TrialEnd      *string     `json:"trial_end" openapi:"date-time"`
	EndsAt        *string     `json:"ends_at" openapi:"date-time"`
	CanceledAt    *string     `json:"canceled_at" openapi:"date-time"`
	CurrentPeriod *periodJSON `json:"current_period"`
	CreatedAt     string      `json:"created_at" openapi:"date-time"`
}

func toPeriodJSON(p domain.Period) *periodJSON {
	return &periodJSON{Start: fmtTime(p.Start), End: fmtTime(p.End)}
}

func (s *Server) subscriptionJSON(c echo.Context, sub customers.Subscription) (subscriptionJSON, error) {
	list, err := s.subscriptionsJSON(c, []customers.Subscription{sub})
	if err != nil {
		return subscriptionJSON{}, err
	}
	return list[0], nil
}

// subscriptionsJSON renders subscriptions with their status and current
// period, reading each customer and plan once.
func (s *Server) subscriptionsJSON(c echo.Context, subs []customers.Subscription) ([]subscriptionJSON, error) {
	scs, err := s.Customers.Contexts(c.Request().Context(), tenantOf(c), subs)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now(c.Request().Context())
	out := make([]subscriptionJSON, len(scs))
	for i, sc := range scs {
		sub := sc.Subscription
		j := subscriptionJSON{ID: sub.ID, ExternalID: strPtr(sub.ExternalID), Customer: sub.CustomerExternalID, CustomerID: sub.CustomerID, Plan: sub.PlanKey, PlanID: sub.PlanID,
			Status: string(sub.StatusAt(now)), StartAt: fmtTime(sub.StartAt), BillingCycle: string(sub.BillingCycle), TrialDays: sub.TrialDays,
			TrialEnd: fmtTimePtr(sub.TrialEnd), EndsAt: fmtTimePtr(sub.EndsAt), CanceledAt: fmtTimePtr(sub.CanceledAt), CreatedAt: fmtTime(sub.CreatedAt)}
		if p, ok := sc.PeriodAt(now); ok {
			j.CurrentPeriod = toPeriodJSON(p)
		}
		out[i] = j
	}
	return out, nil
}

func (s *Server) createSubscription(c echo.Context) error {
	var req subscriptionReq
	if err := decode(c, &req); err != nil {
		return err
	}
	if err := domain.CheckTimePtr("start_at", req.StartAt); err != nil {
		return err
	}
	sub, err := s.Invoicing.Subscribe(c.Request().Context(), tenantOf(c), customers.CreateSubscriptionInput{Customer: req.Customer,
		Plan: req.Plan, StartAt: req.StartAt, BillingCycle: req.BillingCycle, TrialDays: req.TrialDays, ExternalID: req.ExternalID})
	if err != nil {
		return err
	}
	out, err := s.subscriptionJSON(c, sub)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, out)
}

func (s *Server) getSubscription(c echo.Context) error {
	sub, err := s.Customers.GetSubscription(c.Request().Context(), tenantOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	out, err := s.subscriptionJSON(c, sub)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) listSubscriptions(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	q := customers.SubscriptionQuery{CustomerID: c.QueryParam("customer")}
	if key := c.QueryParam("plan"); key != "" {
		pl, err := s.Plans.GetByKey(c.Request().Context(), tenantOf(c), key)
		if err != nil {
			return err
		}
		q.PlanID = pl.ID
	}
	l, err := s.Customers.ListSubscriptions(c.Request().Context(), tenantOf(c), q, p)
	if err != nil {
		return err
	}
	data, err := s.subscriptionsJSON(c, l.Data)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listBody[subscriptionJSON]{Data: data, NextCursor: cursorPtr(l.NextCursor)})
}
