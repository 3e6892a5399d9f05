package console

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/tallyhq/tally/webhooks"
)

type webhooksPage struct {
	base
	Form      formState
	Endpoints []webhooks.Endpoint
	Next      string
	// Created is the endpoint just created: its signing secret is shown
	// this once.
	Created *webhooks.Endpoint
}

func (c *Console) webhooksPage(ec echo.Context, se *session, status int, p webhooksPage) error {
	ctx, err := c.ctx(ec, se)
	if err != nil {
		return err
	}
	l, err := c.svc.Webhooks.ListEndpoints(ctx, se.TenantID, pageOf(ec, 100))
	if err != nil {
		return err
	}
	p.base, p.Endpoints, p.Next = c.newBase(ec, se, "webhooks"), l.Data, nextURL(ec, l.NextCursor)
	if p.Form.Errors == nil {
		p.Form = formState{Values: ec.QueryParams(), Errors: map[string]string{}}
	}
	return c.render(ec, status, "webhooks", p)
}

func listWebhooks(c *Console, ec echo.Context, se *session) error {
	return c.webhooksPage(ec, se, http.StatusOK, webhooksPage{})
}

// createWebhook creates an endpoint (as POST /v1/webhook_endpoints) and
// shows its secret once; events are one per line or comma-separated,
// empty for every event.
func createWebhook(c *Console, ec echo.Context, se *session) error {
	ctx, err := c.ctx(ec, se)
	if err != nil {
		return err
	}
	f := newForm(ec)
	url, desc := strings.TrimSpace(f.V("url")), f.V("description")
	var events []string
	for _, e := range strings.FieldsFunc(f.V("events"), func(r rune) bool { return r == ',' || r == '\n' || r == ' ' || r == '\r' }) {
		events = append(events, e)
	}
	ep, err := c.svc.Webhooks.CreateEndpoint(ctx, se.TenantID, webhooks.EndpointInput{URL: &url, Description: &desc, Events: events})
	if err != nil {
		status, ok := f.refuse(err)
		if !ok {
			return err
		}
		return c.webhooksPage(ec, se, status, webhooksPage{Form: f})
	}
	return c.webhooksPage(ec, se, http.StatusCreated, webhooksPage{Created: &ep, Form: formState{Values: map[string][]string{}, Errors: map[string]string{}}})
}

type webhookPage struct {
	base
	Endpoint   webhooks.Endpoint
	Deliveries []webhooks.Delivery
	Next       string
}

func showWebhook(c *Console, ec echo.Context, se *session) error {
	ctx, err := c.ctx(ec, se)
	if err != nil {
		return err
	}
	ep, err := c.svc.Webhooks.GetEndpoint(ctx, se.TenantID, ec.Param("id"))
	if err != nil {
		return err
	}
	l, err := c.svc.Webhooks.Deliveries(ctx, se.TenantID, ep.ID, pageOf(ec, 50))
	if err != nil {
		return err
	}
	return c.render(ec, http.StatusOK, "webhook", webhookPage{base: c.newBase(ec, se, "webhooks"), Endpoint: ep, Deliveries: l.Data, Next: nextURL(ec, l.NextCursor)})
}

func deleteWebhook(c *Console, ec echo.Context, se *session) error {
	ctx, err := c.ctx(ec, se)
	if err != nil {
		return err
	}
	if _, err := c.svc.Webhooks.DeleteEndpoint(ctx, se.TenantID, ec.Param("id")); err != nil {
		return err
	}
	return ec.Redirect(http.StatusSeeOther, doneURL("/console/webhooks", "deleted"))
}

func redeliver(c *Console, ec echo.Context, se *session) error {
	ctx, err := c.ctx(ec, se)
	if err != nil {
		return err
	}
	d, err := c.svc.Webhooks.Redeliver(ctx, se.TenantID, ec.Param("id"))
	if err != nil {
		return err
	}
	return ec.Redirect(http.StatusSeeOther, doneURL("/console/webhooks/"+d.EndpointID, "redeliver"))
}
