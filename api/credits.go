package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/credits"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/invoicing"
)

// grantReq is POST /v1/customers/{id}/credit_grants. A paid grant
// ("paid": true, "price": "10.00") is a purchase: the reply carries its
// invoice_id, and usable ("on_payment", the default, or "immediately") says
// when its credits can be drawn.
type grantReq struct {
	Name           string           `json:"name"`
	Amount         *decimal.Decimal `json:"amount" openapi:"required"`
	Unit           string           `json:"unit" doc:"The customer's currency (default) or a custom unit such as credits."`
	ConversionRate *decimal.Decimal `json:"conversion_rate" doc:"Value of one custom unit in the currency."`
	Priority       *int             `json:"priority" openapi:"min=1"`
	ExpiresAt      *time.Time       `json:"expires_at"`
	AppliesTo      string           `json:"applies_to" openapi:"enum=applies_to"`
	Paid           bool             `json:"paid"`
	Price          *decimal.Decimal `json:"price" doc:"What a paid grant costs; it issues a manual invoice."`
	Usable         string           `json:"usable" openapi:"enum=usable"`
}

type grantJSON struct {
	ID             string  `json:"id"`
	CustomerID     string  `json:"customer_id"`
	Name           string  `json:"name"`
	Unit           string  `json:"unit"`
	ConversionRate string  `json:"conversion_rate" openapi:"decimal"`
	Amount         string  `json:"amount" openapi:"decimal"`
	Remaining      string  `json:"remaining" openapi:"decimal"`
	Value          string  `json:"value" openapi:"decimal"`
	Priority       int     `json:"priority"`
	AppliesTo      string  `json:"applies_to" openapi:"enum=applies_to"`
	Paid           bool    `json:"paid"`
	Price          *string `json:"price" openapi:"decimal"`
	InvoiceID      *string `json:"invoice_id"`
	UsableAt       *string `json:"usable_at" openapi:"date-time"`
	ExpiresAt      *string `json:"expires_at" openapi:"date-time"`
	CreatedAt      string  `json:"created_at" openapi:"date-time"`
	VoidedAt       *string `json:"voided_at" openapi:"date-time"`
}

type grantListJSON struct {
	Data []grantJSON `json:"data"`
	// Balance is what the usable grants' remaining amounts (after finalized
	// invoices) are worth now, in the currency; credit_balance also
	// subtracts drafts and open periods.
	Balance  string `json:"balance" openapi:"decimal"`
	Currency string `json:"currency"`
}

// units writes an amount of a grant's unit: the currency's minor unit for
// money, 6 places for a custom unit ("750.000000").
func units(cur domain.Currency, unit string, d decimal.Decimal) string {
	if unit == string(cur) {
		return cur.Format(d)
	}
	return d.StringFixed(credits.UnitPlaces)
}

func toGrantJSON(cur domain.Currency) func(credits.Grant) grantJSON {
	return func(g credits.Grant) grantJSON {
		return grantJSON{ID: g.ID, CustomerID: g.CustomerID, Name: g.Name, Unit: g.Unit, ConversionRate: g.ConversionRate.String(),
			Amount: units(cur, g.Unit, g.Amount), Remaining: units(cur, g.Unit, g.Remaining), Value: cur.Format(g.Value().RoundFloor(cur.MinorUnits())),
			Priority: g.Priority, AppliesTo: string(g.AppliesTo), Paid: g.Price != nil, Price: decStr(g.Price), InvoiceID: strPtr(g.PurchaseInvoiceID),
			UsableAt: fmtTimePtr(g.UsableAt), ExpiresAt: fmtTimePtr(g.ExpiresAt), CreatedAt: fmtTime(g.CreatedAt), VoidedAt: fmtTimePtr(g.VoidedAt)}
	}
}

func (s *Server) createGrant(c echo.Context) error {
	var req grantReq
	if err := decode(c, &req); err != nil {
		return err
	}
	if err := domain.CheckTimePtr("expires_at", req.ExpiresAt); err != nil {
		return err
	}
	ctx := c.Request().Context()
	cu, err := s.Customers.Get(ctx, tenantOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	in := credits.CreateInput{Name: req.Name, Amount: req.Amount, Unit: req.Unit, ConversionRate: req.ConversionRate, Priority: req.Priority,
		ExpiresAt: req.ExpiresAt, AppliesTo: req.AppliesTo, Paid: req.Paid, Price: req.Price, Usable: req.Usable}
	var g credits.Grant
	if req.Paid {
		g, _, err = s.Invoicing.PurchaseCredits(ctx, tenantOf(c), cu.ID, in)
	} else {
		g, err = s.Credits.Create(ctx, tenantOf(c), cu.ID, cu.Currency, in)
	}
	if err != nil {
		return err
	}
	if s.BudgetWorker != nil { // a grant re-arms the low-credit alerts
		s.BudgetWorker.Touch(tenantOf(c), []string{cu.ExternalID})
	}
	return c.JSON(http.StatusCreated, toGrantJSON(cu.Currency)(g))
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
		out.Data[i] = toGrantJSON(cu.Currency)(g)
		if g.Usable(now) {
			balance = balance.Add(g.Value())
		}
	}
	out.Balance = cu.Currency.Format(balance.RoundFloor(cu.Currency.MinorUnits()))
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
	return c.JSON(http.StatusOK, toGrantJSON(cu.Currency)(g))
}

// grantBalanceJSON is one grant in credit_balance.
type grantBalanceJSON struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	Status    string  `json:"status" openapi:"enum=grant_status"`
	Priority  int     `json:"priority"`
	AppliesTo string  `json:"applies_to" openapi:"enum=applies_to"`
	ExpiresAt *string `json:"expires_at" openapi:"date-time"`
	Granted   string  `json:"granted" openapi:"decimal"`
	Used      string  `json:"used" openapi:"decimal"`
	Pending   string  `json:"pending" openapi:"decimal"`
	Expired   string  `json:"expired" openapi:"decimal"`
	Voided    string  `json:"voided" openapi:"decimal"`
	Remaining string  `json:"remaining" openapi:"decimal"`
}

// unitBalanceJSON is one unit in credit_balance: remaining = granted −
// used − pending − expired − voided; value is remaining in the currency
// (at each grant's conversion_rate).
type unitBalanceJSON struct {
	Unit      string             `json:"unit"`
	Granted   string             `json:"granted" openapi:"decimal"`
	Used      string             `json:"used" openapi:"decimal"`
	Pending   string             `json:"pending" openapi:"decimal"`
	Expired   string             `json:"expired" openapi:"decimal"`
	Voided    string             `json:"voided" openapi:"decimal"`
	Remaining string             `json:"remaining" openapi:"decimal"`
	Value     string             `json:"value" openapi:"decimal"`
	Grants    []grantBalanceJSON `json:"grants"`
}

// creditBalanceJSON is GET /v1/customers/{id}/credit_balance.
type creditBalanceJSON struct {
	CustomerID string            `json:"customer_id"`
	At         string            `json:"at" openapi:"date-time"`
	Currency   string            `json:"currency"`
	Data       []unitBalanceJSON `json:"data"`
}

func (s *Server) creditBalance(c echo.Context) error { return s.writeCreditBalance(c, c.Param("id")) }

// writeCreditBalance answers a customer's credit balance at ?at= (admin
// and portal routes).
func (s *Server) writeCreditBalance(c echo.Context, customerID string) error {
	given, err := queryTime(c, "at")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	// Without ?at= the live balance, at the instant the service read (the
	// only one its cache can answer for), with the customer it cached.
	var b invoicing.LiveBalance
	if given == nil {
		if b, err = s.Invoicing.LiveCreditBalance(ctx, tenantOf(c), customerID); err != nil {
			return err
		}
	} else {
		b.At = *given
		if b.Customer, err = s.Customers.Get(ctx, tenantOf(c), customerID); err != nil {
			return err
		}
		if b.Units, err = s.Invoicing.CreditBalance(ctx, tenantOf(c), b.Customer.ID, b.At); err != nil {
			return err
		}
	}
	cu, at, list := b.Customer, b.At, b.Units
	cur := cu.Currency
	out := creditBalanceJSON{CustomerID: cu.ID, At: fmtTime(at), Currency: string(cur), Data: make([]unitBalanceJSON, len(list))}
	for i, u := range list {
		f := func(d decimal.Decimal) string { return units(cur, u.Unit, d) }
		value := decimal.Zero
		uj := unitBalanceJSON{Unit: u.Unit, Granted: f(u.Granted), Used: f(u.Used), Pending: f(u.Pending), Expired: f(u.Expired),
			Voided: f(u.Voided), Remaining: f(u.Remaining), Grants: make([]grantBalanceJSON, len(u.Grants))}
		for k, b := range u.Grants {
			value = value.Add(b.Remaining.Mul(b.Grant.ConversionRate))
			uj.Grants[k] = grantBalanceJSON{ID: b.Grant.ID, Name: b.Grant.Name, Status: string(b.Status), Priority: b.Grant.Priority,
				AppliesTo: string(b.Grant.AppliesTo), ExpiresAt: fmtTimePtr(b.Grant.ExpiresAt), Granted: f(b.Granted), Used: f(b.Used),
				Pending: f(b.Pending), Expired: f(b.Expired), Voided: f(b.Voided), Remaining: f(b.Remaining)}
		}
		uj.Value = cur.Format(value.RoundFloor(cur.MinorUnits()))
		out.Data[i] = uj
	}
	return c.JSON(http.StatusOK, out)
}

// ledgerEntryJSON is one credit_ledger entry: units and amount signed (+
// adds credit), balance the running balance of its unit after it.
type ledgerEntryJSON struct {
	ID        string  `json:"id"`
	Kind      string  `json:"kind" openapi:"enum=ledger_kind"`
	GrantID   string  `json:"grant_id"`
	InvoiceID *string `json:"invoice_id"`
	Unit      string  `json:"unit"`
	Units     string  `json:"units" openapi:"decimal"`
	Amount    string  `json:"amount" openapi:"decimal"`
	Balance   string  `json:"balance" openapi:"decimal"`
	At        string  `json:"at" openapi:"date-time"`
}

func (s *Server) creditLedger(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	cu, err := s.Customers.Get(ctx, tenantOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	list, err := s.Credits.Ledger(ctx, tenantOf(c), cu.ID, s.Clock.Now(ctx), p)
	if err != nil {
		return err
	}
	cur := cu.Currency
	return c.JSON(http.StatusOK, listOf(list, func(e credits.Entry) ledgerEntryJSON {
		return ledgerEntryJSON{ID: e.ID, Kind: string(e.Kind), GrantID: e.GrantID, InvoiceID: strPtr(e.InvoiceID), Unit: e.Unit,
			Units: units(cur, e.Unit, e.Units), Amount: cur.Format(cur.Round(e.Amount)), Balance: units(cur, e.Unit, e.Balance), At: fmtTime(e.At)}
	}))
}
