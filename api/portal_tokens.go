package api

import (
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/tallyhq/tally/tenants"
)

// PortalPath is where the customer portal's page lives; a token's url is
// this path on the requesting host with ?token=.
const PortalPath = "/portal"

type portalTokenReq struct {
	TTL string `json:"ttl" doc:"How long the token lives: a duration such as 24h or 90m, from 1m to 720h (30 days); default 24h."`
}

// portalTokenCreatedJSON is the reply to POST
// /v1/customers/{id}/portal_tokens: the token is shown only here.
type portalTokenCreatedJSON struct {
	ID         string `json:"id"`
	CustomerID string `json:"customer_id"`
	Token      string `json:"token" doc:"The secret (tly_prt_…), shown once: a Bearer token for /v1/portal/*."`
	URL        string `json:"url" doc:"The customer portal page, opened with this token."`
	CreatedAt  string `json:"created_at" openapi:"date-time"`
	ExpiresAt  string `json:"expires_at" openapi:"date-time"`
}

// portalTokenJSON is a stored portal token (its secret is never shown
// again).
type portalTokenJSON struct {
	ID         string  `json:"id"`
	CustomerID string  `json:"customer_id"`
	Prefix     string  `json:"prefix" doc:"The token's first characters, to recognize it."`
	Status     string  `json:"status" openapi:"enum=portal_token_status" doc:"At the tenant's now."`
	CreatedAt  string  `json:"created_at" openapi:"date-time"`
	ExpiresAt  string  `json:"expires_at" openapi:"date-time"`
	RevokedAt  *string `json:"revoked_at" openapi:"date-time"`
}

// Portal token statuses, as portalTokenJSON reports them.
const (
	tokenActive  = "active"
	tokenExpired = "expired"
	tokenRevoked = "revoked"
)

func toPortalTokenJSON(t tenants.PortalToken, now time.Time) portalTokenJSON {
	status := tokenActive
	switch {
	case t.RevokedAt != nil:
		status = tokenRevoked
	case !now.Before(t.ExpiresAt):
		status = tokenExpired
	}
	return portalTokenJSON{ID: t.ID, CustomerID: t.CustomerID, Prefix: t.Prefix, Status: status,
		CreatedAt: fmtTime(t.CreatedAt), ExpiresAt: fmtTime(t.ExpiresAt), RevokedAt: fmtTimePtr(t.RevokedAt)}
}

// portalURL is the page a token opens, on the host the request came to.
func portalURL(c echo.Context, token string) string {
	u := url.URL{Scheme: c.Scheme(), Host: c.Request().Host, Path: PortalPath, RawQuery: url.Values{"token": {token}}.Encode()}
	return u.String()
}

func (s *Server) createPortalToken(c echo.Context) error {
	var req portalTokenReq
	if err := decode(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	cu, err := s.Customers.Get(ctx, tenantOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	t, secret, err := s.Tenants.CreatePortalToken(ctx, tenantOf(c), cu.ID, tenants.CreatePortalTokenInput{TTL: req.TTL})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, portalTokenCreatedJSON{ID: t.ID, CustomerID: t.CustomerID, Token: secret, URL: portalURL(c, secret),
		CreatedAt: fmtTime(t.CreatedAt), ExpiresAt: fmtTime(t.ExpiresAt)})
}

func (s *Server) listPortalTokens(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	cu, err := s.Customers.Get(ctx, tenantOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	l, err := s.Tenants.ListPortalTokens(ctx, tenantOf(c), cu.ID, p)
	if err != nil {
		return err
	}
	now := s.Clock.Now(ctx)
	return c.JSON(http.StatusOK, listOf(l, func(t tenants.PortalToken) portalTokenJSON { return toPortalTokenJSON(t, now) }))
}

func (s *Server) revokePortalToken(c echo.Context) error {
	ctx := c.Request().Context()
	cu, err := s.Customers.Get(ctx, tenantOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	t, err := s.Tenants.RevokePortalToken(ctx, tenantOf(c), cu.ID, c.Param("token_id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPortalTokenJSON(t, s.Clock.Now(ctx)))
}
