// Package console is the admin console: the pages a billing team runs
// billing with, mounted at /console/ beside the API (web.New).
//
// # Sessions
//
// An admin logs in with a tenant admin API key (tenants.Service.Authenticate;
// ingest keys are refused). The key is checked once and never kept: the
// console stores a session row (table console_sessions) holding the SHA-256
// of a random session id, the tenant, the id of the key it was opened with
// and the session's CSRF token, and the browser gets only the random id in
// an HttpOnly, SameSite=Lax cookie (Secure over TLS, or always with
// TALLY_SECURE_COOKIES). Every request re-reads the key by id: revoking it
// (from the console or the API) ends its sessions at their next request.
//
// A session ends after IdleTimeout without a request or AbsoluteTimeout
// after login, whichever comes first, measured on the process clock
// (domain.Clock), never on a tenant's test clock: moving a test clock a
// month ahead must not log its admin out. Pages, though, compute every
// amount on the tenant's clock (ui.Kit.TenantContext), as the API does.
// Logging out deletes the row.
//
// # Forms
//
// Every POST carries the session's CSRF token (ui.CSRFField); one without it
// is refused with a 403 page before anything runs. The login form, which has
// no session yet, checks a token kept in a short-lived pre-session cookie
// instead. Failed logins are limited per client address, the peer's own
// (never X-Forwarded-For, which anyone can write): see loginLimiter.
//
// # Pages
//
// Each page calls the same domain service methods as the matching API
// handler (the routes table names them), so every number equals the API's;
// the console formats, it never prices. Validation errors are the domain's,
// shown next to the field whose path they name.
package console
