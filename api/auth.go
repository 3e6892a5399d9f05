package api

import (
	"crypto/subtle"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/tenants"
)

// Access says who may call a route.
type Access string

const (
	// Public routes need no key (health, metrics, the OpenAPI document).
	Public Access = "public"
	// Root routes need TALLY_ROOT_KEY.
	Root Access = "root"
	// Admin routes need a tenant admin key.
	Admin Access = "admin"
	// Ingest routes take an admin or an ingest key.
	Ingest Access = "ingest"
	// Portal routes (/v1/portal/*) take only a portal token and act on its
	// one customer; a portal token anywhere else is 403.
	Portal Access = "portal"
)

// principal is the authenticated caller.
type principal struct {
	root     bool
	tenantID string
	kind     tenants.KeyKind
	keyID    string
	// customerID is the customer of a portal token ("" for API keys).
	customerID string
}

const principalKey = "tally.principal"

// bearer is the caller's key: Authorization: Bearer <key>, or else the
// x-api-key header (Flexprice's SDK sends only that), accepted wherever
// Bearer is.
func bearer(c echo.Context) string {
	h := c.Request().Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return strings.TrimSpace(c.Request().Header.Get("X-Api-Key"))
}

// authenticate returns middleware enforcing access for one route.
func (s *Server) authenticate(access Access) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			// Rate limits charge the authenticated key, or the client
			// address when there is none (or it is not valid), so junk
			// bearer strings share their sender's allowance.
			byAddress := func() error { return s.limiter.limit(c, "ip:"+c.RealIP()) }
			if access == Public {
				if unlimited(c.Path()) {
					return next(c)
				}
				if err := byAddress(); err != nil {
					return err
				}
				return next(c)
			}
			key := bearer(c)
			if key == "" {
				if err := byAddress(); err != nil {
					return err
				}
				return domain.Unauthorized("missing API key: send Authorization: Bearer <key> (or x-api-key: <key>)")
			}
			if s.cfg.RootKey != "" && subtle.ConstantTimeCompare([]byte(key), []byte(s.cfg.RootKey)) == 1 {
				if err := s.limiter.limit(c, "root"); err != nil {
					return err
				}
				if access != Root {
					return domain.Forbidden("the root key only manages tenants; use a tenant admin key")
				}
				c.Set(principalKey, principal{root: true})
				return next(c)
			}
			if tenants.IsPortalToken(key) {
				return s.authenticatePortal(c, access, key, byAddress, next)
			}
			k, err := s.Tenants.Authenticate(c.Request().Context(), key)
			if err != nil {
				if lerr := byAddress(); lerr != nil {
					return lerr
				}
				return err
			}
			if err := s.limiter.limit(c, "key:"+k.ID); err != nil {
				return err
			}
			switch access {
			case Root:
				return domain.Forbidden("only the root key may manage tenants")
			case Admin:
				if k.Kind != tenants.KindAdmin {
					return domain.Forbidden("an %s key may only send events", k.Kind)
				}
			case Ingest:
				if k.Kind != tenants.KindAdmin && k.Kind != tenants.KindIngest {
					return domain.Forbidden("this key may not send events")
				}
			case Portal:
				return domain.Forbidden("the /v1/portal routes take a portal token (POST /v1/customers/{id}/portal_tokens), not an API key")
			}
			c.Set(principalKey, principal{tenantID: k.TenantID, kind: k.Kind, keyID: k.ID})
			if err := s.useTestClock(c, k.TenantID); err != nil {
				return err
			}
			return next(c)
		}
	}
}

// authenticatePortal admits a live portal token on a Portal route. The
// token's tenant clock decides expiry, so the test clock is applied before
// the check; unknown, revoked and expired tokens are 401 on every route, a
// live one is 403 outside /v1/portal.
func (s *Server) authenticatePortal(c echo.Context, access Access, key string, byAddress func() error, next echo.HandlerFunc) error {
	t, err := s.Tenants.FindPortalToken(c.Request().Context(), key)
	if err != nil {
		if lerr := byAddress(); lerr != nil {
			return lerr
		}
		return err
	}
	if err := s.limiter.limit(c, "key:"+t.ID); err != nil {
		return err
	}
	if err := s.useTestClock(c, t.TenantID); err != nil {
		return err
	}
	if err := t.Check(s.Clock.Now(c.Request().Context())); err != nil {
		return err
	}
	if access != Portal {
		return domain.Forbidden("a portal token may only read its customer's /v1/portal routes")
	}
	c.Set(principalKey, principal{tenantID: t.TenantID, keyID: t.ID, customerID: t.CustomerID})
	return next(c)
}

// customerOf returns the portal token's customer id (routes behind Portal).
func customerOf(c echo.Context) string {
	p, _ := c.Get(principalKey).(principal)
	return p.customerID
}

// tenantOf returns the caller's tenant id (routes behind Admin or Ingest).
func tenantOf(c echo.Context) string {
	p, _ := c.Get(principalKey).(principal)
	return p.tenantID
}
