// Package customers owns customers and their subscriptions, and says which
// billing period a subscription is in.
//
// A customer is named in payloads by its external_id (the tenant's own id
// for it), which never changes once created: events refer to it. A
// subscription ties a customer to a plan of the same currency (else 422) and
// cuts time into periods by the plan's interval, the subscription's
// billing_cycle and the customer's time zone (package customers/cycle).
// With trial_days, the trial runs from start_at for that many days and the
// first paid period starts when the trial ends.
package customers
