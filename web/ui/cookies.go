package ui

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// CSRFField is the form field (and CSRFHeader the header, for app.js
// requests) that carries a page's CSRF token.
const (
	CSRFField  = "csrf_token"
	CSRFHeader = "X-CSRF-Token"
)

// NewSecret returns 32 random bytes, URL-safe base64: session ids and CSRF
// tokens.
func NewSecret() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("ui: no randomness: " + err.Error()) // crypto/rand never fails on Linux
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// SameSecret compares two secrets in constant time; an empty one never
// matches.
func SameSecret(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// CheckCSRF reports whether the request carries want as its CSRF token, in
// the form field or the header. Only POST forms need it: pages never change
// anything on GET.
func CheckCSRF(c echo.Context, want string) bool {
	got := c.Request().Header.Get(CSRFHeader)
	if got == "" {
		got = c.FormValue(CSRFField)
	}
	return SameSecret(got, want)
}

// SetCookie sets a session cookie: HttpOnly, SameSite=Lax (a link from
// another site still opens the page; a form posted from another site does
// not carry it), path-scoped, Secure over TLS (or always with
// SecureCookies), kept by the browser for maxAge (0: until it closes). The
// server still checks the session's own expiry on every request, on the
// tenant's clock; maxAge only tells the browser when to forget it.
func (k *Kit) SetCookie(c echo.Context, name, value, path string, maxAge time.Duration) {
	ck := &http.Cookie{Name: name, Value: value, Path: path, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: k.cfg.SecureCookies || c.Request().TLS != nil}
	if maxAge > 0 {
		ck.MaxAge = int(maxAge / time.Second)
		if ck.MaxAge == 0 {
			ck.MaxAge = 1
		}
	}
	c.SetCookie(ck)
}

// ClearCookie removes a cookie set by SetCookie.
func (k *Kit) ClearCookie(c echo.Context, name, path string) {
	c.SetCookie(&http.Cookie{Name: name, Value: "", Path: path, MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: k.cfg.SecureCookies || c.Request().TLS != nil})
}

// Cookie returns a cookie's value, or "".
func Cookie(c echo.Context, name string) string {
	ck, err := c.Cookie(name)
	if err != nil {
		return ""
	}
	return ck.Value
}
