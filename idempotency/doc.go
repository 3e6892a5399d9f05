// Package idempotency remembers what a caller's POST with an Idempotency-Key
// answered, so that a retry gets the same answer instead of doing the work
// twice (api.md, "Idempotent requests"; the HTTP side is api's middleware).
//
// Rules kept here:
//   - A key belongs to one caller (Owner: an API key's id, or "root"): two
//     callers may use the same key independently.
//   - The first request with a key claims it (Begin); the caller then either
//     stores the reply (Complete) or gives the key back (Release), after
//     which a retry is processed anew.
//   - A retry must be the same request: same method, path and body hash
//     (Fingerprint). Any other request with the key is a 422
//     idempotency_key_reused, whether the first is done or still running.
//   - While the first request runs, a retry is a 409 idempotency_in_progress;
//     exactly one request with a key is ever processed at a time (the claim
//     is one INSERT … ON CONFLICT DO NOTHING on the primary key, atomic on
//     both stores).
//   - A key lives 24 h (TTL) from its first request, measured on the service
//     clock (never a tenant's test clock, so moving a test clock neither
//     expires nor revives keys). After that it is free: the next request
//     with it is processed anew, whatever its body. Expired rows are deleted
//     opportunistically, at most once per PruneEvery, by the Begin that
//     notices it is due.
//   - A request interrupted by a crash (neither Complete nor Release ran)
//     keeps its key in progress until it expires: its outcome is unknown, so
//     Tally does not guess by running it again. The client may check what
//     happened and send the request under a new key.
package idempotency
