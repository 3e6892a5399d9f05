// Package portal is the customer portal: the pages a tenant's customer
// opens from a portal link (POST /v1/customers/{id}/portal_tokens) to decide
// whether to trust the bill. It shows the live proposed invoice of each
// active subscription with every line explained in words, the running
// total and the days left; a daily usage chart per meter with the amount
// accruing; the credit balance with its grants, expiries and a low-balance
// notice; the invoice history with a print view; the plan advisor's
// comparison; and the budgets the customer sets itself.
//
// # Sessions
//
// The link's ?token= is moved, on the first visit, into an HttpOnly,
// SameSite=Lax cookie (Secure over TLS) scoped to /portal, and the browser
// is sent to the same page without it, so the token leaves the address bar
// and history. Every request checks the token again (tenants: unknown,
// revoked, or expired on the tenant's clock is a 401 page), so revoking a
// token ends its sessions at once. Forms carry a CSRF token derived from
// the session's token (an HMAC of it), so nothing is stored for it and a
// form from another session or site is refused (403).
//
// # Numbers
//
// Every figure comes from the services the API calls (invoicing's proposed
// invoices and credit balance, meters' series, the advisor, budgets' own
// reading and low-credit rule); this package only formats them (web/ui),
// in the customer's currency, the browser's locale and the customer's zone.
// Data attributes carry the API's exact decimal strings (data-amount), so a
// test compares a page with the API digit for digit.
package portal
