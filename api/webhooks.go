package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/tallyhq/tally/webhooks"
)

// webhookEndpointReq is POST (all of url and events required) and PATCH
// (fields present are changed) /v1/webhook_endpoints.
type webhookEndpointReq struct {
	URL         *string  `json:"url"`
	Events      []string `json:"events"`
	Description *string  `json:"description"`
}

// webhookEndpointJSON is an endpoint. secret is present only in the reply
// to its creation: keep it to verify Tally-Signature; it is never shown
// again.
type webhookEndpointJSON struct {
	ID          string   `json:"id"`
	URL         string   `json:"url"`
	Events      []string `json:"events"`
	Description string   `json:"description"`
	Secret      *string  `json:"secret,omitempty"`
	CreatedAt   string   `json:"created_at"`
	UpdatedAt   string   `json:"updated_at"`
}

func toWebhookEndpointJSON(e webhooks.Endpoint) webhookEndpointJSON {
	out := webhookEndpointJSON{ID: e.ID, URL: e.URL, Events: e.Events, Description: e.Description, CreatedAt: fmtTime(e.CreatedAt), UpdatedAt: fmtTime(e.UpdatedAt)}
	if e.Secret != "" {
		out.Secret = &e.Secret
	}
	return out
}

// webhookDeliveryJSON is one event sent to one endpoint: status pending
// (next_attempt_at), delivered or failed (retried until give_up_at), with
// the last attempt's HTTP status or error.
type webhookDeliveryJSON struct {
	ID            string  `json:"id"`
	EndpointID    string  `json:"endpoint_id"`
	EventID       string  `json:"event_id"`
	EventType     string  `json:"event_type"`
	Status        string  `json:"status"`
	Attempts      int     `json:"attempts"`
	NextAttemptAt *string `json:"next_attempt_at"`
	GiveUpAt      string  `json:"give_up_at"`
	LastAttemptAt *string `json:"last_attempt_at"`
	LastStatus    *int    `json:"last_status"`
	LastError     string  `json:"last_error"`
	DeliveredAt   *string `json:"delivered_at"`
	CreatedAt     string  `json:"created_at"`
}

func toWebhookDeliveryJSON(d webhooks.Delivery) webhookDeliveryJSON {
	return webhookDeliveryJSON{ID: d.ID, EndpointID: d.EndpointID, EventID: d.EventID, EventType: d.EventType, Status: d.Status, Attempts: d.Attempts,
		NextAttemptAt: fmtTimePtr(d.NextAttemptAt), GiveUpAt: fmtTime(d.GiveUpAt), LastAttemptAt: fmtTimePtr(d.LastAttemptAt), LastStatus: d.LastStatus,
		LastError: d.LastError, DeliveredAt: fmtTimePtr(d.DeliveredAt), CreatedAt: fmtTime(d.CreatedAt)}
}

func (s *Server) webhookInput(c echo.Context) (webhooks.EndpointInput, error) {
	var req webhookEndpointReq
	if err := decode(c, &req); err != nil {
		return webhooks.EndpointInput{}, err
	}
	return webhooks.EndpointInput{URL: req.URL, Events: req.Events, Description: req.Description}, nil
}

func (s *Server) createWebhookEndpoint(c echo.Context) error {
	in, err := s.webhookInput(c)
	if err != nil {
		return err
	}
	e, err := s.Webhooks.CreateEndpoint(c.Request().Context(), tenantOf(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toWebhookEndpointJSON(e))
}

func (s *Server) listWebhookEndpoints(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	l, err := s.Webhooks.ListEndpoints(c.Request().Context(), tenantOf(c), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(l, toWebhookEndpointJSON))
}

func (s *Server) getWebhookEndpoint(c echo.Context) error {
	e, err := s.Webhooks.GetEndpoint(c.Request().Context(), tenantOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toWebhookEndpointJSON(e))
}

func (s *Server) updateWebhookEndpoint(c echo.Context) error {
	in, err := s.webhookInput(c)
	if err != nil {
		return err
	}
	e, err := s.Webhooks.UpdateEndpoint(c.Request().Context(), tenantOf(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toWebhookEndpointJSON(e))
}

func (s *Server) deleteWebhookEndpoint(c echo.Context) error {
	e, err := s.Webhooks.DeleteEndpoint(c.Request().Context(), tenantOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toWebhookEndpointJSON(e))
}

func (s *Server) listWebhookDeliveries(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	l, err := s.Webhooks.Deliveries(c.Request().Context(), tenantOf(c), c.Param("id"), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(l, toWebhookDeliveryJSON))
}

func (s *Server) redeliverWebhook(c echo.Context) error {
	d, err := s.Webhooks.Redeliver(c.Request().Context(), tenantOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toWebhookDeliveryJSON(d))
}
