package main

import (
	"context"
	"time"

	"github.com/tallyhq/tally/app"
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/invoicing"
)

// periodZone is the time zone an invoice's period is reckoned in: its
// customer's zone at the start of the period (UTC if the customer cannot
// be read).
func periodZone(ctx context.Context, a *app.App, inv invoicing.Invoice) *time.Location {
	c, err := a.Services.Customers.Get(ctx, inv.TenantID, inv.CustomerID)
	if err != nil {
		return time.UTC
	}
	return zoneAt(c, inv.Period.Start)
}

// zoneAt is the customer's time zone at t: the zone a later change moved
// away from, or the current one.
func zoneAt(c customers.Customer, t time.Time) *time.Location {
	for _, z := range c.TimezoneChanges {
		if z.At.After(t) {
			return customers.Customer{Timezone: z.From}.Location()
		}
	}
	return c.Location()
}
