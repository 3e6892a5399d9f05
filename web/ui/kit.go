package ui

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/tallyhq/tally/domain"
)

//go:embed layout.html
var layoutFS embed.FS

// KitConfig are the kit's settings.
type KitConfig struct {
	// SecureCookies marks cookies Secure on plain HTTP too (TLS ended at a
	// proxy); requests that arrive over TLS always get Secure cookies.
	SecureCookies bool
	// TestClock: pages read their tenant's test clock (TenantContext).
	TestClock bool
}

// Kit renders pages and sets cookies the same way for every app.
type Kit struct {
	cfg   KitConfig
	log   *slog.Logger
	error *template.Template
}

// NewKit returns a kit.
func NewKit(cfg KitConfig, log *slog.Logger) *Kit {
	k := &Kit{cfg: cfg, log: log}
	k.error = template.Must(k.MustParse(nil).Parse(errorPage))
	return k
}

// Config returns the kit's settings.
func (k *Kit) Config() KitConfig { return k.cfg }

// MustParse parses the named templates of fsys together with the base
// layout and the kit's functions; it panics on a template error (templates
// are embedded, so that is a build mistake caught by any test that serves
// the page). A page template defines "title" and "main", and may define
// "nav" (the header links) and "head" (extra tags in <head>).
func (k *Kit) MustParse(fsys fs.FS, patterns ...string) *template.Template {
	t := template.New("layout").Funcs(Funcs())
	t = template.Must(t.ParseFS(layoutFS, "layout.html"))
	template.Must(t.Parse(`{{define "nav"}}{{end}}{{define "head"}}{{end}}{{define "flash"}}{{end}}`))
	if len(patterns) > 0 {
		t = template.Must(t.ParseFS(fsys, patterns...))
	}
	return t
}

// Render writes the page t (whose layout is "layout") with data: status
// and the whole body at once, or a 500 page when the template fails (the
// half-written page is never sent).
func (k *Kit) Render(c echo.Context, status int, t *template.Template, data any) error {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		k.log.Error("render page", slog.String("path", c.Path()), slog.Any("error", err))
		return k.renderError(c, http.StatusInternalServerError, "Something went wrong on our side", "The page could not be shown. Try again; if it keeps happening, tell the team that runs this billing.")
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// Partial writes one named template of t, without the layout: the piece of
// a page that app.js refreshes in place.
func (k *Kit) Partial(c echo.Context, t *template.Template, name string, data any) error {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		k.log.Error("render partial", slog.String("path", c.Path()), slog.String("name", name), slog.Any("error", err))
		return echo.NewHTTPError(http.StatusInternalServerError)
	}
	return c.HTMLBlob(http.StatusOK, buf.Bytes())
}

type errorData struct {
	Status  int
	Title   string
	Message string
}

const errorPage = `{{define "title"}}{{.Title}}{{end}}{{define "main"}}<section class="empty"><p class="eyebrow">Error {{.Status}}</p><h1>{{.Title}}</h1><p>{{.Message}}</p><p><a class="button" href="/">Go to the start page</a></p></section>{{end}}`

func (k *Kit) renderError(c echo.Context, status int, title, msg string) error {
	var buf bytes.Buffer
	if err := k.error.ExecuteTemplate(&buf, "layout", errorData{Status: status, Title: title, Message: msg}); err != nil {
		return c.String(status, title+": "+msg)
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// ErrorHandler is the pages' echo error handler: domain errors and echo's
// own become an error page with the matching status (404 for not found,
// 403 for forbidden, 401 for a missing session, 422 for invalid input, and
// 500, logged, for anything else). An error never shows internals.
func (k *Kit) ErrorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, title, msg := http.StatusInternalServerError, "Something went wrong on our side", "The page could not be shown. Try again; if it keeps happening, tell the team that runs this billing."
	var he *echo.HTTPError
	var de *domain.Error
	switch {
	case errors.As(err, &de):
		status = domain.HTTPStatus(de.Kind)
		title, msg = http.StatusText(status), de.Message
	case errors.As(err, &he):
		status = he.Code
		title = http.StatusText(status)
		msg = ""
		if s, ok := he.Message.(string); ok && s != http.StatusText(status) {
			msg = s
		}
		if status == http.StatusNotFound && msg == "" {
			msg = "There is no page at this address."
		}
	}
	if status >= 500 {
		k.log.Error("page failed", slog.String("path", c.Request().URL.Path), slog.Any("error", err))
	}
	_ = k.renderError(c, status, title, msg)
}

// TestClocks reads a tenant's test clock (tenants.Service).
type TestClocks interface {
	TestClock(ctx context.Context, tenantID string) (time.Time, bool, error)
}

// TenantContext returns ctx carrying the tenant's test-clock "now" when
// test clocks are on and the tenant has one, exactly as the API does, so a
// page and the API agree on every amount that depends on now.
func (k *Kit) TenantContext(ctx context.Context, clocks TestClocks, tenantID string) (context.Context, error) {
	if !k.cfg.TestClock || clocks == nil {
		return ctx, nil
	}
	now, ok, err := clocks.TestClock(ctx, tenantID)
	if err != nil || !ok {
		return ctx, err
	}
	return domain.WithNow(ctx, now), nil
}
