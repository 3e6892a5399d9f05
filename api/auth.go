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
)

// principal is the authenticated caller.
type principal struct {
	root     bool
	tenantID string
	kind     tenants.KeyKind
	keyID    string
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
			}
			c.Set(principalKey, principal{tenantID: k.TenantID, kind: k.Kind, keyID: k.ID})
			if err := s.useTestClock(c, k.TenantID); err != nil {
				return err
			}
			return next(c)
		}
	}
}

// tenantOf returns the caller's tenant id (routes behind Admin or Ingest).
func tenantOf(c echo.Context) string {
	p, _ := c.Get(principalKey).(principal)
	return p.tenantID
}
