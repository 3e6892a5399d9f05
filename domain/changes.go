package domain

import "time"

// Change tells a Notifier, after the write has committed, that what a
// customer will be billed may have changed: caches of derived figures (the
// live credit balance) drop what they hold for it.
type Change struct {
	TenantID string
	// CustomerID or ExternalID names the customer (either may be empty);
	// both empty means every customer of the tenant (a plan or meter edit).
	CustomerID, ExternalID string
	// EventsUntil is the latest timestamp of the events ingested, when
	// some lie ahead of now: they start counting when now passes them,
	// with no further write.
	EventsUntil time.Time
}

// Notifier is told of committed changes. Implementations must be safe for
// concurrent use and quick (no I/O).
type Notifier interface {
	Changed(Change)
}

// Notify tells n of c; a nil n is fine.
func Notify(n Notifier, c Change) {
	if n != nil {
		n.Changed(c)
	}
}
