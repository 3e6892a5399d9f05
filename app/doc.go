// Package app is Tally's composition root: it reads the settings from the
// environment, opens and migrates the database, and wires the domain
// services to the HTTP API. Commands and end-to-end tests start Tally
// through it, so they run exactly what production runs.
//
// Every collaborator is a constructor parameter (no setters): the one
// live-balance cache (invoicing.NewBalanceCache) is built first and handed
// to meters, plans, customers and credits as their domain.Notifier and to
// invoicing as its cache; the metrics registry to invoicing, Stripe and the
// jobs; the tenants' test clocks (with TALLY_TEST_CLOCK=on) and the
// low-credit levels (creditLevels) to budgets.
package app
