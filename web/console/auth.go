package console

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/tenants"
	"github.com/tallyhq/tally/web/ui"
)

// Cookies: the session id, and the login form's pre-session CSRF token.
const (
	sessionCookie = "tally_console"
	loginCookie   = "tally_console_login"
	cookiePath    = "/console"
	loginTTL      = 30 * time.Minute
)

type loginPage struct {
	base
	Next  string
	Error string
	Retry string
}

// safeNext keeps a ?next= only when it is a console path (never another
// site: "//evil" or "/console\\…" are refused).
func safeNext(next string) string {
	if strings.HasPrefix(next, "/console/") && !strings.HasPrefix(next, "//") && !strings.ContainsAny(next, "\\\r\n") {
		return next
	}
	return "/console/"
}

// loginForm shows the login form with a fresh pre-session CSRF token.
func loginForm(c *Console, ec echo.Context, _ *session) error {
	return c.showLogin(ec, http.StatusOK, "", "")
}

func (c *Console) showLogin(ec echo.Context, status int, msg, retry string) error {
	token := ui.Cookie(ec, loginCookie)
	if token == "" || status == http.StatusOK {
		token = ui.NewSecret()
		c.kit.SetCookie(ec, loginCookie, token, cookiePath, loginTTL)
	}
	b := c.newBase(ec, nil, "login")
	b.CSRF = token
	return c.render(ec, status, "login", loginPage{base: b, Next: safeNext(ec.FormValue("next")), Error: msg, Retry: retry})
}

// login checks the form's token against the pre-session cookie, then the
// key: an admin key of a tenant opens a session; anything else shows the
// form again with one message (unknown, revoked and ingest keys alike).
func login(c *Console, ec echo.Context, _ *session) error {
	if !ui.SameSecret(ec.FormValue(ui.CSRFField), ui.Cookie(ec, loginCookie)) {
		return csrfRefused()
	}
	ctx := ec.Request().Context()
	// The peer's own address: X-Forwarded-For is anyone's to write, so a
	// guesser could pick a fresh one per try (behind a proxy all clients
	// share the proxy's allowance, which errs on the safe side).
	addr, now := echo.ExtractIPDirect()(ec.Request()), c.clock.Now(ctx)
	if until, blocked := c.limiter.blocked(addr, now); blocked {
		return c.showLogin(ec, http.StatusTooManyRequests, "Too many failed attempts from this address.",
			"Try again after "+until.UTC().Format("15:04 MST")+".")
	}
	k, err := c.svc.Tenants.Authenticate(ctx, strings.TrimSpace(ec.FormValue("api_key")))
	switch {
	case err == nil && k.Kind != tenants.KindAdmin:
		err = domain.Forbidden("not an admin key")
	case err != nil && domain.KindOf(err) != domain.KindUnauthorized:
		return err
	}
	if err != nil {
		c.limiter.fail(addr, now)
		return c.showLogin(ec, http.StatusUnauthorized, "That key does not open the console: use a live admin API key of your tenant (ingest keys only send events).", "")
	}
	c.limiter.succeed(addr)
	if err := c.sessions.sweep(ctx); err != nil {
		return err
	}
	id, _, err := c.sessions.open(ctx, k.TenantID, k.ID)
	if err != nil {
		return err
	}
	c.kit.ClearCookie(ec, loginCookie, cookiePath)
	c.kit.SetCookie(ec, sessionCookie, id, cookiePath, 0)
	return ec.Redirect(http.StatusSeeOther, safeNext(ec.FormValue("next")))
}

// logout deletes the session and its cookie.
func logout(c *Console, ec echo.Context, se *session) error {
	if err := c.sessions.end(ec.Request().Context(), *se); err != nil {
		return err
	}
	c.kit.ClearCookie(ec, sessionCookie, cookiePath)
	return ec.Redirect(http.StatusSeeOther, "/console/login")
}
