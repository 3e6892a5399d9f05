package ui

import "github.com/labstack/echo/v4"

// SecurityHeaders sets the pages' security headers: scripts, styles, images
// and connections from this origin only (no inline script), no framing, no
// sniffing, and no Referer (a portal token in the address bar of a first
// visit never leaks to another site). Pages are never cached by shared
// caches: they show one customer's money.
func SecurityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		return next(c)
	}
}
