package api

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/invoicing/stripesync"
)

// syncInvoice is POST /v1/invoices/{id}/sync: the invoice's Stripe copy
// brought up to date (created, items, finalized). Stripe failing after
// retries is a 502; the call may simply be repeated. Ownership comes
// first: an id that is not an invoice of the caller's tenant is a 404
// whether or not Stripe is configured.
func (s *Server) syncInvoice(c echo.Context) error {
	id := c.Param("id")
	if !utf8.ValidString(id) || strings.ContainsRune(id, 0) {
		return domain.NotFound("invoice", id)
	}
	if _, err := s.Invoicing.Get(c.Request().Context(), tenantOf(c), id); err != nil {
		return err
	}
	if !s.Stripe.Enabled() {
		return domain.Conflict("stripe_disabled", "Stripe is not configured (STRIPE_API_KEY is unset); invoices stay unsynced")
	}
	inv, err := s.Stripe.Sync(c.Request().Context(), tenantOf(c), id)
	if err != nil {
		var se *stripesync.StripeError
		if errors.As(err, &se) {
			return echo.NewHTTPError(http.StatusBadGateway, se.Error())
		}
		return err
	}
	return c.JSON(http.StatusOK, toInvoiceJSON(inv))
}

// webhookReceivedJSON acknowledges a Stripe webhook.
type webhookReceivedJSON struct {
	Received bool `json:"received"`
}

// stripeWebhook is POST /v1/webhooks/stripe. It needs no key: the
// Stripe-Signature header over the raw body authenticates it.
func (s *Server) stripeWebhook(c echo.Context) error {
	if s.Stripe == nil {
		return domain.Conflict("stripe_webhooks_disabled", "Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET is unset)")
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "request body too large")
		}
		return domain.Malformed("could not read the request body: %v", err)
	}
	if err := s.Stripe.HandleWebhook(c.Request().Context(), body, c.Request().Header.Get("Stripe-Signature")); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, webhookReceivedJSON{Received: true})
}
