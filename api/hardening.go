package api

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// Default body limits (echo size syntax): ingest carries batches of up to
// 1000 events, everything else is small.
const (
	DefaultBodyLimit       = "1M"
	DefaultIngestBodyLimit = "8M"
)

// ingestRoutes are the routes whose bodies may be as large as
// Config.IngestBodyLimit; every other route has Config.BodyLimit.
var ingestRoutes = map[string]bool{"POST /v1/events": true, "POST /v1/events/batch": true}

// bodyLimits caps request bodies per route: a larger limit on ingest than
// on the rest. Beyond it the reply is 413 request_too_large (from the
// Content-Length at once, or as soon as a chunked body passes the limit).
// It runs after routing, so c.Path() is the matched route.
func bodyLimits(general, ingest string) echo.MiddlewareFunc {
	small, large := middleware.BodyLimit(general), middleware.BodyLimit(ingest)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		smallNext, largeNext := small(next), large(next)
		return func(c echo.Context) error {
			if ingestRoutes[c.Request().Method+" "+c.Path()] {
				return largeNext(c)
			}
			return smallNext(c)
		}
	}
}

// jsonCSP is the Content-Security-Policy of the API's replies: JSON loads
// nothing and is framed by nobody. Pages (HTML) set their own.
const jsonCSP = "default-src 'none'; frame-ancestors 'none'"

// securityHeaders sets, on every reply (errors and 404s included):
//
//	X-Content-Type-Options: nosniff    no MIME sniffing of JSON into HTML
//	Cache-Control: no-store            replies carry keys and billing data
//	X-Frame-Options: DENY              never framed
//	Content-Security-Policy            default-src 'none'; frame-ancestors 'none'
//	Referrer-Policy: no-referrer
//
// A handler may replace any of them (a page its CSP) since they are set
// before it runs.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set(echo.HeaderXContentTypeOptions, "nosniff")
		h.Set("Cache-Control", "no-store")
		h.Set(echo.HeaderXFrameOptions, "DENY")
		h.Set(echo.HeaderContentSecurityPolicy, jsonCSP)
		h.Set(echo.HeaderReferrerPolicy, "no-referrer")
		return next(c)
	}
}

// corsAllowedHeaders are the request headers a browser client may send.
var corsAllowedHeaders = []string{echo.HeaderAuthorization, echo.HeaderContentType, HeaderIdempotencyKey, "X-Api-Key"}

// corsExposedHeaders are the reply headers a browser client may read.
var corsExposedHeaders = []string{echo.HeaderXRequestID, "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset",
	echo.HeaderRetryAfter, HeaderIdempotentReplayed, echo.HeaderLocation}

// cors answers browsers from the allowed origins (exact scheme://host[:port]
// matches): preflight OPTIONS requests get the methods and headers the API
// uses; replies to other origins carry no CORS header at all. With no
// origin allowed it is nil: CORS is off.
func cors(origins []string) echo.MiddlewareFunc {
	allowed := map[string]bool{}
	for _, o := range origins {
		if o = strings.TrimRight(strings.TrimSpace(o), "/"); o != "" {
			allowed[strings.ToLower(o)] = true
		}
	}
	if len(allowed) == 0 {
		return nil
	}
	return middleware.CORSWithConfig(middleware.CORSConfig{
		// Exact matches only: no wildcard or subdomain patterns.
		AllowOriginFunc: func(origin string) (bool, error) { return allowed[strings.ToLower(origin)], nil },
		AllowMethods:    []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete},
		AllowHeaders:    corsAllowedHeaders,
		ExposeHeaders:   corsExposedHeaders,
		MaxAge:          600,
	})
}
