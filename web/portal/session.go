package portal

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/tenants"
	"github.com/tallyhq/tally/web/ui"
)

// Base is the portal's path; the cookie is scoped to it.
const Base = "/portal"

// cookieName holds the portal token once it has left the address bar.
const cookieName = "tally_portal"

const sessionKey = "portal.session"

// session is one authenticated page request: the live token, the tenant's
// now and the reader's locale.
type session struct {
	token  tenants.PortalToken
	csrf   string
	now    time.Time
	locale string
}

// csrfFor is the CSRF token of a session: an HMAC of the portal token, so
// only a page served to the cookie's holder can carry it, and nothing is
// stored.
func csrfFor(secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("tally portal csrf v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// refused is the 401 every bad token gets: the page says what to do next.
func refused(why string) error {
	return domain.Unauthorized(why + " Ask the company that bills you for a new portal link.")
}

// open checks a portal token on the tenant's clock and returns the
// request's context at that clock.
func (p *Portal) open(c echo.Context, secret string) (session, context.Context, error) {
	if !tenants.IsPortalToken(secret) {
		return session{}, nil, refused("This is not a portal link.")
	}
	ctx := c.Request().Context()
	t, err := p.svc.Tokens.FindPortalToken(ctx, secret)
	if err != nil {
		if de, ok := domain.AsError(err); ok && de.Kind == domain.KindUnauthorized {
			return session{}, nil, refused("This portal link is not known.")
		}
		return session{}, nil, err
	}
	ctx, err = p.kit.TenantContext(ctx, p.svc.Tokens, t.TenantID)
	if err != nil {
		return session{}, nil, err
	}
	now := p.svc.Clock.Now(ctx)
	if err := t.Check(now); err != nil {
		if t.RevokedAt != nil {
			return session{}, nil, refused("This portal link was revoked.")
		}
		return session{}, nil, refused("This portal link expired on " + ui.DateTime(t.ExpiresAt, "UTC") + ".")
	}
	return session{token: t, csrf: csrfFor(secret), now: now, locale: localeOf(c.Request())}, ctx, nil
}

// authenticate admits a request with a live portal token: from ?token= on
// a GET (moved into the cookie, then redirected to the same address
// without it) or from the cookie. A POST must carry the session's CSRF
// token.
func (p *Portal) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if secret := r.URL.Query().Get("token"); secret != "" && r.Method == http.MethodGet {
			s, _, err := p.open(c, secret)
			if err != nil {
				p.kit.ClearCookie(c, cookieName, Base)
				return err
			}
			p.kit.SetCookie(c, cookieName, secret, Base, s.token.ExpiresAt.Sub(s.now))
			q := r.URL.Query()
			q.Del("token")
			to := r.URL.Path
			if len(q) > 0 {
				to += "?" + q.Encode()
			}
			return c.Redirect(http.StatusSeeOther, to)
		}
		secret := ui.Cookie(c, cookieName)
		if secret == "" {
			return refused("There is no portal session in this browser (it may have ended).")
		}
		s, ctx, err := p.open(c, secret)
		if err != nil {
			p.kit.ClearCookie(c, cookieName, Base)
			return err
		}
		if r.Method == http.MethodPost && !ui.CheckCSRF(c, s.csrf) {
			return domain.Forbidden("This form could not be checked (its security token is missing or from another session). Reload the page and try again.")
		}
		c.SetRequest(r.WithContext(ctx))
		c.Set(sessionKey, s)
		return next(c)
	}
}

func sessionOf(c echo.Context) session {
	s, _ := c.Get(sessionKey).(session)
	return s
}

// localeOf is the reader's first Accept-Language tag ("de-DE"), or "en".
func localeOf(r *http.Request) string {
	al := r.Header.Get("Accept-Language")
	tag, _, _ := strings.Cut(al, ",")
	tag, _, _ = strings.Cut(tag, ";")
	tag = strings.TrimSpace(tag)
	if tag == "" || tag == "*" {
		return "en"
	}
	return tag
}
