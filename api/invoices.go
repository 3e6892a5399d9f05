package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/invoicing"
)

type prorationJSON struct {
	Days   int `json:"days"`
	OfDays int `json:"of_days"`
}

type tierLineJSON struct {
	Tier       int     `json:"tier"`
	From       *string `json:"from" openapi:"decimal"`
	UpTo       *string `json:"up_to" openapi:"decimal"`
	Quantity   string  `json:"quantity" openapi:"decimal"`
	UnitAmount string  `json:"unit_amount" openapi:"decimal"`
	FlatAmount string  `json:"flat_amount" openapi:"decimal"`
	Amount     string  `json:"amount" openapi:"decimal"`
}

type lineJSON struct {
	PriceKey    string         `json:"price_key"`
	Type        string         `json:"type" openapi:"enum=price_type"`
	Meter       *string        `json:"meter"`
	Description string         `json:"description"`
	Quantity    string         `json:"quantity" openapi:"decimal"`
	Amount      string         `json:"amount" openapi:"decimal"`
	PeriodStart string         `json:"period_start" openapi:"date-time"`
	PeriodEnd   string         `json:"period_end" openapi:"date-time"`
	Proration   *prorationJSON `json:"proration"`
	Tiers       []tierLineJSON `json:"tiers" openapi:"nullable"`
	// PriceUnit is the price's custom unit ("credits"), null when priced in
	// the currency; UnitAmount is then the line's amount in it (6 places,
	// before conversion) and ConversionRate the price's rate.
	PriceUnit      *string `json:"price_unit"`
	UnitAmount     *string `json:"unit_amount" openapi:"decimal"`
	ConversionRate *string `json:"conversion_rate" openapi:"decimal"`
	// CreditsApplied is the currency value prepaid credit paid of the line
	// (would pay, on a proposed invoice); CreditUnits the price_unit units
	// drawn from grants in that unit (null for a line in the currency).
	CreditsApplied string  `json:"credits_applied" openapi:"decimal"`
	CreditUnits    *string `json:"credit_units" openapi:"decimal"`
}

type invoiceJSON struct {
	ID              *string    `json:"id" doc:"null on a proposed invoice (computed live, not stored)."`
	Number          *string    `json:"number" doc:"Given at finalization."`
	Status          string     `json:"status" openapi:"enum=invoice_status"`
	BillingReason   string     `json:"billing_reason" openapi:"enum=billing_reason"`
	CustomerID      string     `json:"customer_id"`
	SubscriptionID  *string    `json:"subscription_id"` // null for a credit purchase
	Currency        string     `json:"currency"`
	PeriodStart     string     `json:"period_start" openapi:"date-time"`
	PeriodEnd       string     `json:"period_end" openapi:"date-time"`
	Lines           []lineJSON `json:"lines"`
	Subtotal        string     `json:"subtotal" openapi:"decimal"`
	CreditsApplied  string     `json:"credits_applied" openapi:"decimal"`
	Total           string     `json:"total" openapi:"decimal"`
	Note            *string    `json:"note"`
	StripeInvoiceID *string    `json:"stripe_invoice_id"`
	StripeSyncError *string    `json:"stripe_sync_error"`
	CreatedAt       string     `json:"created_at" openapi:"date-time"`
	FinalizedAt     *string    `json:"finalized_at" openapi:"date-time"`
	LateEvents      *int64     `json:"late_events,omitempty" doc:"Finalized invoices only: events stored after finalization, not billed."`
	Replaces        *string    `json:"replaces"`
	ReplacedBy      *string    `json:"replaced_by"`
}

func decStr(d *decimal.Decimal) *string {
	if d == nil {
		return nil
	}
	s := d.String()
	return &s
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func toInvoiceJSON(inv invoicing.Invoice) invoiceJSON {
	cur := inv.Currency
	out := invoiceJSON{ID: strPtr(inv.ID), Number: inv.Number, Status: string(inv.Status), BillingReason: string(inv.BillingReason),
		CustomerID: inv.CustomerID, SubscriptionID: strPtr(inv.SubscriptionID), Currency: string(cur),
		PeriodStart: fmtTime(inv.Period.Start), PeriodEnd: fmtTime(inv.Period.End), Lines: make([]lineJSON, len(inv.Lines)),
		Subtotal: cur.Format(inv.Subtotal), CreditsApplied: cur.Format(inv.CreditsApplied), Total: cur.Format(inv.Total),
		Note: strPtr(inv.Note), StripeInvoiceID: inv.StripeInvoiceID, StripeSyncError: inv.StripeSyncError, CreatedAt: fmtTime(inv.CreatedAt), FinalizedAt: fmtTimePtr(inv.FinalizedAt),
		Replaces: strPtr(inv.Replaces), ReplacedBy: strPtr(inv.ReplacedBy)}
	for i, l := range inv.Lines {
		lj := lineJSON{PriceKey: l.PriceKey, Type: string(l.Type), Meter: strPtr(l.Meter), Description: l.Description,
			Quantity: l.Quantity.String(), Amount: cur.Format(l.Amount), PeriodStart: fmtTime(l.Period.Start), PeriodEnd: fmtTime(l.Period.End)}
		lj.CreditsApplied = cur.Format(l.CreditsApplied)
		if l.PriceUnit != "" {
			lj.PriceUnit = strPtr(l.PriceUnit)
			ua, cu := l.UnitAmount.StringFixed(6), l.CreditUnits.StringFixed(6)
			lj.UnitAmount, lj.CreditUnits = &ua, &cu
			lj.ConversionRate = decStr(l.ConversionRate)
		}
		if l.Proration != nil {
			lj.Proration = &prorationJSON{Days: l.Proration.Days, OfDays: l.Proration.OfDays}
		}
		if l.Tiers != nil {
			lj.Tiers = make([]tierLineJSON, len(l.Tiers))
			for k, t := range l.Tiers {
				lj.Tiers[k] = tierLineJSON{Tier: t.Tier + 1, From: decStr(t.From), UpTo: decStr(t.UpTo), Quantity: t.Quantity.String(),
					UnitAmount: t.UnitAmount.String(), FlatAmount: t.FlatAmount.String(), Amount: t.Amount.String()}
			}
		}
		out.Lines[i] = lj
	}
	return out
}

// atParam reads ?at= (default: now).
func (s *Server) atParam(c echo.Context) (time.Time, error) {
	t, err := queryTime(c, "at")
	if err != nil {
		return time.Time{}, err
	}
	if t == nil {
		return s.Clock.Now(c.Request().Context()), nil
	}
	return *t, nil
}

func (s *Server) proposedInvoice(c echo.Context) error {
	at, err := s.atParam(c)
	if err != nil {
		return err
	}
	inv, err := s.Invoicing.Proposed(c.Request().Context(), tenantOf(c), c.Param("id"), at)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toInvoiceJSON(inv))
}

func (s *Server) customerProposedInvoices(c echo.Context) error {
	return s.writeProposedInvoices(c, c.Param("id"))
}

// writeProposedInvoices answers the proposed invoice of each active
// subscription of a customer at ?at= (admin and portal routes).
func (s *Server) writeProposedInvoices(c echo.Context, customerID string) error {
	at, err := s.atParam(c)
	if err != nil {
		return err
	}
	list, err := s.Invoicing.ProposedForCustomer(c.Request().Context(), tenantOf(c), customerID, at)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(domain.List[invoicing.Invoice]{Data: list}, toInvoiceJSON))
}

type runReq struct {
	AsOf *time.Time `json:"as_of" doc:"Default now."`
	Wait bool       `json:"wait"`
}

type runFailureJSON struct {
	SubscriptionID string `json:"subscription_id"`
	Error          string `json:"error"`
}

type runJSON struct {
	ID               string           `json:"id"`
	Status           string           `json:"status" openapi:"enum=run_status"`
	AsOf             string           `json:"as_of" openapi:"date-time"`
	Subscriptions    int              `json:"subscriptions"`
	Processed        int              `json:"processed"`
	InvoicesCreated  int              `json:"invoices_created"`
	InvoicesExisting int              `json:"invoices_existing"`
	Failed           []runFailureJSON `json:"failed"`
	CreatedAt        string           `json:"created_at" openapi:"date-time"`
	HeartbeatAt      *string          `json:"heartbeat_at" openapi:"date-time"`
	FinishedAt       *string          `json:"finished_at" openapi:"date-time"`
}

func toRunJSON(r invoicing.Run) runJSON {
	out := runJSON{ID: r.ID, Status: string(r.Status), AsOf: fmtTime(r.AsOf), Subscriptions: r.Subscriptions, Processed: r.Processed,
		InvoicesCreated: r.InvoicesCreated, InvoicesExisting: r.InvoicesExisting, Failed: make([]runFailureJSON, len(r.Failed)),
		CreatedAt: fmtTime(r.CreatedAt), HeartbeatAt: fmtTimePtr(r.HeartbeatAt), FinishedAt: fmtTimePtr(r.FinishedAt)}
	for i, f := range r.Failed {
		out.Failed[i] = runFailureJSON(f)
	}
	return out
}

// startRun answers 201 with the finished run when wait is true, else 202
// with the run still running.
func (s *Server) startRun(c echo.Context) error {
	var req runReq
	if err := decode(c, &req); err != nil {
		return err
	}
	// as_of not given (null or absent) is now; a given one, even
	// 0001-01-01T00:00:00Z, must lie in the window.
	if err := domain.CheckTimePtr("as_of", req.AsOf); err != nil {
		return err
	}
	run, err := s.Invoicing.StartRun(c.Request().Context(), tenantOf(c), req.AsOf, req.Wait)
	if err != nil {
		return err
	}
	status := http.StatusAccepted
	if req.Wait {
		status = http.StatusCreated
	}
	return c.JSON(status, toRunJSON(run))
}

func (s *Server) getRun(c echo.Context) error {
	run, err := s.Invoicing.GetRun(c.Request().Context(), tenantOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toRunJSON(run))
}

func (s *Server) listInvoices(c echo.Context) error {
	return s.writeInvoices(c, c.QueryParam("customer"))
}

// writeInvoices answers a page of the tenant's invoices, of one customer
// when customerID is not "" (admin and portal routes), filtered by
// ?subscription= and ?status=.
func (s *Server) writeInvoices(c echo.Context, customerID string) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	q := invoicing.Query{CustomerID: customerID, SubscriptionID: c.QueryParam("subscription"), Status: invoicing.Status(c.QueryParam("status"))}
	l, err := s.Invoicing.List(c.Request().Context(), tenantOf(c), q, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(l, toInvoiceJSON))
}

func (s *Server) getInvoice(c echo.Context) error {
	inv, err := s.Invoicing.Get(c.Request().Context(), tenantOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return s.writeInvoice(c, inv)
}

// writeInvoice answers one stored invoice; a finalized one reports how many
// events arrived for its period after it was frozen.
func (s *Server) writeInvoice(c echo.Context, inv invoicing.Invoice) error {
	return s.writeInvoiceStatus(c, http.StatusOK, inv)
}

// writeInvoiceStatus writes an invoice (with late_events once finalized).
func (s *Server) writeInvoiceStatus(c echo.Context, status int, inv invoicing.Invoice) error {
	out := toInvoiceJSON(inv)
	if inv.FinalizedAt != nil {
		n, err := s.Invoicing.LateEvents(c.Request().Context(), inv)
		if err != nil {
			return err
		}
		out.LateEvents = &n
	}
	return c.JSON(status, out)
}
