package web

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/tallyhq/tally/web/ui"
)

// Config is what the pages need from the process settings.
type Config struct {
	// TestClock makes a page read its tenant's test clock, as the API does
	// (TALLY_TEST_CLOCK).
	TestClock bool
	// SecureCookies marks session cookies Secure even on plain HTTP (set
	// when TLS ends at a proxy in front of Tally); a request that arrived
	// over TLS always gets Secure cookies.
	SecureCookies bool
}

// Handler serves the pages. Create it with New.
type Handler struct {
	echo *echo.Echo
	log  *slog.Logger
}

// New returns the pages' handler. mounts add the apps' routes (the portal,
// the console); each receives the router and the shared page kit.
func New(cfg Config, log *slog.Logger, mounts ...func(e *echo.Echo, kit *ui.Kit)) *Handler {
	if log == nil {
		log = slog.Default()
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	kit := ui.NewKit(ui.KitConfig{SecureCookies: cfg.SecureCookies, TestClock: cfg.TestClock}, log)
	e.HTTPErrorHandler = kit.ErrorHandler
	e.Use(middleware.Recover())
	e.Use(ui.SecurityHeaders)
	e.Use(middleware.BodyLimit("1M"))
	h := &Handler{echo: e, log: log}
	e.GET("/assets/*", echo.WrapHandler(http.StripPrefix("/assets/", ui.Assets())))
	e.GET("/favicon.ico", func(c echo.Context) error {
		return c.Redirect(http.StatusMovedPermanently, "/assets/favicon.svg")
	})
	home := kit.MustParse(templates, "templates/home.html")
	e.GET("/", func(c echo.Context) error {
		return kit.Render(c, http.StatusOK, home, nil)
	})
	for _, m := range mounts {
		m(e, kit)
	}
	return h
}

// ServeHTTP serves one page request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.echo.ServeHTTP(w, r) }

// Owns reports whether path is a page's rather than the API's: "/",
// "/favicon.ico", and everything under /assets/, /portal and /console.
// /v1/portal/… is the API's.
func Owns(path string) bool {
	switch {
	case path == "/", path == "/favicon.ico":
		return true
	case strings.HasPrefix(path, "/assets/"):
		return true
	}
	for _, p := range []string{"/portal", "/console"} {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}

// Split returns a handler that sends page paths (Owns) to pages and the
// rest to api.
func Split(pages, api http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if Owns(r.URL.Path) {
			pages.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
}
