package console

import (
	"context"
	"embed"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/web/ui"
)

//go:embed templates/*.html
var templates embed.FS

// Config are the console's settings; zero durations take the defaults.
type Config struct {
	IdleTimeout     time.Duration
	AbsoluteTimeout time.Duration
}

// Console serves the admin pages. Create it with New and add it to web.New
// with Mount.
type Console struct {
	svc      Services
	sessions *sessions
	clock    domain.Clock
	limiter  *loginLimiter
	log      *slog.Logger
	kit      *ui.Kit
	pages    map[string]*template.Template
}

// New returns the console on the services; db stores its sessions and
// clock (the process clock) times them.
func New(svc Services, db *store.DB, clock domain.Clock, cfg Config, log *slog.Logger) *Console {
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.AbsoluteTimeout <= 0 {
		cfg.AbsoluteTimeout = DefaultAbsoluteTimeout
	}
	if log == nil {
		log = slog.Default()
	}
	return &Console{svc: svc, clock: clock, limiter: newLoginLimiter(), log: log,
		sessions: &sessions{db: db, clock: clock, idle: cfg.IdleTimeout, absolute: cfg.AbsoluteTimeout}}
}

// Mount adds the console's routes (web.New's mount).
func (c *Console) Mount(e *echo.Echo, kit *ui.Kit) {
	c.kit = kit
	c.pages = map[string]*template.Template{}
	for _, r := range c.routes() {
		r := r
		if r.page != "" && c.pages[r.page] == nil {
			t := kit.MustParse(nil).Funcs(funcs())
			c.pages[r.page] = template.Must(t.ParseFS(templates, "templates/_shared.html", "templates/"+r.page+".html"))
		}
		var h echo.HandlerFunc
		if r.public {
			h = func(ec echo.Context) error { return r.handle(c, ec, nil) }
		} else {
			h = c.authed(r)
		}
		e.Add(r.method, r.path, h)
	}
	e.GET("/console", func(ec echo.Context) error { return ec.Redirect(http.StatusMovedPermanently, "/console/") })
}

// handler is one console page or action: se is the caller's session (nil
// on the public login routes).
type handler func(c *Console, ec echo.Context, se *session) error

// route is one console route. Every POST checks the CSRF token; only the
// login routes are public.
type route struct {
	method, path string
	// page is the template the route renders ("" for redirects only).
	page string
	// owned names what the path's :id is ("customer", "plan", …) for the
	// tenant isolation test; "" when the path has no id.
	owned  string
	public bool
	handle handler
}

// request is what a handler works with: the session's tenant and a
// context carrying the tenant's test clock.
func (c *Console) ctx(ec echo.Context, se *session) (context.Context, error) {
	return c.kit.TenantContext(ec.Request().Context(), c.svc.Tenants, se.TenantID)
}

// authed wraps a route with the session check, the key check and, for
// POST, the CSRF check.
func (c *Console) authed(r route) echo.HandlerFunc {
	return func(ec echo.Context) error {
		ctx := ec.Request().Context()
		se, ok, err := c.sessions.find(ctx, ui.Cookie(ec, sessionCookie))
		if err != nil {
			return err
		}
		if ok {
			k, err := c.svc.Tenants.GetKey(ctx, se.TenantID, se.KeyID)
			switch {
			case domain.KindOf(err) == domain.KindNotFound || err == nil && k.RevokedAt != nil:
				if err := c.sessions.endKey(ctx, se.TenantID, se.KeyID); err != nil {
					return err
				}
				ok = false
			case err != nil:
				return err
			}
		}
		if !ok {
			c.kit.ClearCookie(ec, sessionCookie, cookiePath)
			if ec.Request().Method != http.MethodGet || ec.Request().Header.Get("X-Requested-With") != "" {
				return echo.NewHTTPError(http.StatusUnauthorized, "Your console session has ended. Log in again.")
			}
			return ec.Redirect(http.StatusSeeOther, "/console/login?next="+urlQueryEscape(ec.Request().URL.RequestURI()))
		}
		if ec.Request().Method == http.MethodPost && !ui.CheckCSRF(ec, se.CSRF) {
			return csrfRefused()
		}
		return r.handle(c, ec, &se)
	}
}

func csrfRefused() error {
	return echo.NewHTTPError(http.StatusForbidden, "This form's security token is missing or out of date, so nothing was changed. Go back, reload the page and try again.")
}

// base is what every console page's layout needs.
type base struct {
	Nav    string // the current section, for aria-current
	CSRF   string
	Locale string
	Flash  string
	Tenant string
}

// newBase fills base for a page of section nav.
func (c *Console) newBase(ec echo.Context, se *session, nav string) base {
	b := base{Nav: nav, Locale: locale(ec), Flash: flashText(ec.QueryParam("done"))}
	if se != nil {
		b.CSRF, b.Tenant = se.CSRF, se.TenantID
	}
	return b
}

// render writes page with data at status.
func (c *Console) render(ec echo.Context, status int, page string, data any) error {
	return c.kit.Render(ec, status, c.pages[page], data)
}

// partial writes one named template of page.
func (c *Console) partial(ec echo.Context, page, name string, data any) error {
	return c.kit.Partial(ec, c.pages[page], name, data)
}

// locale is the reader's first Accept-Language tag ("" reads as English).
func locale(ec echo.Context) string {
	al := ec.Request().Header.Get("Accept-Language")
	tag, _, _ := strings.Cut(al, ",")
	tag, _, _ = strings.Cut(tag, ";")
	return strings.TrimSpace(tag)
}

// flashes are the notices a redirect may ask for with ?done=NAME (a fixed
// list: the query never puts text on a page).
var flashes = map[string]string{
	"meter":          "The meter was created.",
	"plan":           "The plan was created.",
	"customer":       "The customer was created.",
	"subscribed":     "The customer was subscribed.",
	"canceled":       "The subscription was canceled.",
	"changed":        "The subscription moved to the new plan.",
	"granted":        "The credits were granted.",
	"budgeted":       "The budget was created.",
	"budget_deleted": "The budget was deleted.",
	"finalized":      "The invoice was finalized.",
	"voided":         "The invoice was voided.",
	"regen":          "The replacement invoice was drafted.",
	"synced":         "The invoice was sent to Stripe.",
	"deleted":        "The webhook endpoint was deleted.",
	"redeliver":      "The delivery was queued again.",
	"revoked":        "The key was revoked; its sessions have ended.",
}

func flashText(name string) string { return flashes[name] }
