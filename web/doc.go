// Package web serves Tally's pages from the same binary as the API: the
// customer portal (web/portal), the admin console (web/console) and a small
// landing page at "/". Everything is embedded, so `tally demo` opens the
// pages with nothing else installed.
//
// # Approach
//
// Pages are rendered on the server with html/template and work without
// JavaScript; a few lines of progressive enhancement (web/ui/assets/app.js)
// refresh live parts in place. Charts are server-rendered SVG (web/ui):
// bars and lines with a <title> per mark, so values show on hover and screen
// readers get text, with no chart library to ship or keep up to date. We
// chose this over a built front end because every number on a page comes
// from the same Go services as the API (no second copy of a billing rule,
// no JSON shape to keep in step), a page is one template and one handler,
// and there is no node toolchain in the build.
//
// # Routing
//
// Handler.Owns says which paths are the pages' ("/", "/assets/…",
// "/portal…", "/console…", "/favicon.ico"); the app sends everything else,
// including every /v1 route, to the API.
//
// # Security
//
// Every page answers with a strict Content-Security-Policy (scripts and
// styles from 'self' only), X-Frame-Options DENY, nosniff and
// Referrer-Policy no-referrer (so a portal token in the address bar never
// leaks to another site). Forms that change anything carry a CSRF token
// tied to the session (web/ui).
package web
