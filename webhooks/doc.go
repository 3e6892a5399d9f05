// Package webhooks sends Tally's events to the tenants' own HTTP endpoints
// (api.md, "Outbound webhooks").
//
// Rules:
//   - Durable outbox: EmitTx writes the event and one delivery per
//     subscribed endpoint inside the caller's transaction, so a change that
//     rolls back sends nothing and a committed one is never lost, even if
//     the process dies before delivering.
//   - Delivery is never in the request path: a Dispatcher (a scheduler job,
//     or RunOnce on demand) sends due deliveries with bounded concurrency,
//     one sequence per endpoint, a timeout per request, and retries with
//     exponential backoff and jitter until at least 24 h after the event (or
//     its redelivery); then the delivery is failed. A receiver that is down
//     costs one attempt per endpoint per round and slows no other endpoint.
//   - Every request is signed: Tally-Signature: t=<unix>,v1=<hex
//     HMAC-SHA256(secret, "<t>.<body>")>, with the event id in Tally-Event-Id
//     and in the body {"id","type","created","data"}.
//   - Ordering: per endpoint, deliveries are attempted in event creation
//     order (so per customer in creation order), best effort: a delivery
//     waiting on its backoff does not hold back later ones. Delivery is at
//     least once; receivers dedupe on the event id.
//
// The package imports only domain and store; the packages whose changes it
// reports (invoicing, budgets) call EmitTx through their own small
// interfaces.
package webhooks
