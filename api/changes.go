package api

import (
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/tallyhq/tally/invoicing"
	"github.com/tallyhq/tally/invoicing/stripesync"
)

type cancelReq struct {
	At      string `json:"at" doc:"\"now\", \"period_end\" or an RFC 3339 timestamp."`
	Prorate bool   `json:"prorate"`
}

type changePlanReq struct {
	Plan string `json:"plan" openapi:"required" doc:"The new plan's key."`
	At   string `json:"at" doc:"\"now\" or \"period_end\"."`
}

// changeJSON answers a cancel or a plan change: the subscription as it is
// now, the successor a plan change started, and the invoice issued at once.
type changeJSON struct {
	Subscription subscriptionJSON  `json:"subscription"`
	Successor    *subscriptionJSON `json:"new_subscription,omitempty"`
	Invoice      *invoiceJSON      `json:"invoice"`
}

func (s *Server) changeJSON(c echo.Context, ch invoicing.Change) (changeJSON, error) {
	var out changeJSON
	var err error
	if out.Subscription, err = s.subscriptionJSON(c, ch.Subscription); err != nil {
		return out, err
	}
	if ch.Successor != nil {
		next, err := s.subscriptionJSON(c, *ch.Successor)
		if err != nil {
			return out, err
		}
		out.Successor = &next
	}
	if ch.Invoice != nil {
		inv := toInvoiceJSON(*ch.Invoice)
		out.Invoice = &inv
	}
	return out, nil
}

func (s *Server) cancelSubscription(c echo.Context) error {
	var req cancelReq
	if err := decode(c, &req); err != nil {
		return err
	}
	if err := atTime("at", req.At); err != nil {
		return err
	}
	ch, err := s.Invoicing.Cancel(c.Request().Context(), tenantOf(c), c.Param("id"), invoicing.CancelInput{At: req.At, Prorate: req.Prorate})
	if err != nil {
		return err
	}
	out, err := s.changeJSON(c, ch)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) changePlan(c echo.Context) error {
	var req changePlanReq
	if err := decode(c, &req); err != nil {
		return err
	}
	ch, err := s.Invoicing.ChangePlan(c.Request().Context(), tenantOf(c), c.Param("id"), invoicing.ChangePlanInput{Plan: req.Plan, At: req.At})
	if err != nil {
		return err
	}
	out, err := s.changeJSON(c, ch)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// invoiceAction answers the lifecycle routes (recompute, finalize, void,
// mark_paid, mark_uncollectible).
func (s *Server) invoiceAction(action string) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, tenant, id := c.Request().Context(), tenantOf(c), c.Param("id")
		var inv invoicing.Invoice
		var err error
		switch action {
		case "recompute":
			inv, err = s.Invoicing.Recompute(ctx, tenant, id)
		case "finalize":
			inv, err = s.Invoicing.Finalize(ctx, tenant, id)
		case "void":
			inv, err = s.Invoicing.Transition(ctx, tenant, id, invoicing.Void)
		case "mark_paid":
			inv, err = s.Invoicing.Transition(ctx, tenant, id, invoicing.Paid)
		case "mark_uncollectible":
			inv, err = s.Invoicing.Transition(ctx, tenant, id, invoicing.Uncollectible)
		case "regenerate":
			inv, err = s.Invoicing.Regenerate(ctx, tenant, id)
		}
		if err != nil {
			return err
		}

		if action != "recompute" {
			inv = s.pushToStripe(c, inv)
		}
		if action == "regenerate" {
			return s.writeInvoiceStatus(c, http.StatusCreated, inv)
		}
		return s.writeInvoice(c, inv)
	}
}

// pushToStripe syncs an invoice whose state changed to Stripe at once, when
// Stripe is configured. A failure is logged and left to the Stripe sync job,
// which retries: the change itself stands.
func (s *Server) pushToStripe(c echo.Context, inv invoicing.Invoice) invoicing.Invoice {
	if s.Stripe == nil || !s.Stripe.Enabled() {
		return inv
	}
	synced, err := s.Stripe.Sync(c.Request().Context(), inv.TenantID, inv.ID)
	if err != nil {
		s.log.Warn("stripe sync after "+string(inv.Status)+" failed; the sync job retries", slog.String("invoice", inv.ID), slog.String("error", stripesync.Redact(err)))
		return inv
	}
	return synced
}
