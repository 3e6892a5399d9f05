// Package scenario plays a billing scenario file (spec/scenarios)
// black-box through Tally's HTTP API, in a tenant of its own, and checks
// every expectation: proposed invoice totals and lines, and the invoices an
// invoice run drafts. It knows nothing of Tally's internals, so the same
// runner checks a test server, a local `tally serve` or production.
//
// Generated event i (0-based) of a generate block has id id_prefix+i and
// timestamp from + i×(to−from)/count, rounded down to the microsecond.
// Amounts compare as decimals ("202.5" equals "202.50"); a line expectation
// is the sum of that invoice's lines with that price key.
//
// Our extensions to the form: "rejected" on an events step, and the plan
// advisor's steps for pricing pages — {"compare": <POST /v1/plans/compare
// body>, "reply": {...}} and {"break_even": <body>, "reply": {...}}, where
// the reply must contain what "reply" lists (Contains: every key given,
// arrays element by element, decimals by value).
package scenario
