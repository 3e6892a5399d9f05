package app

import (
	"github.com/tallyhq/tally/advisor"
	"github.com/tallyhq/tally/api"
	"github.com/tallyhq/tally/budgets"
	"github.com/tallyhq/tally/credits"
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/idempotency"
	"github.com/tallyhq/tally/invoicing"
	"github.com/tallyhq/tally/invoicing/stripesync"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/plans"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/tenants"
	"github.com/tallyhq/tally/webhooks"
)

// Services is the bundle of wired domain services of one Tally, all on the
// same database and clock. The HTTP API is built from it (API), and the
// commands, jobs and demo call it directly, so none of them needs the api
// package to reach a service.
type Services struct {
	DB        *store.DB
	Clock     domain.Clock
	Tenants   *tenants.Service
	Meters    *meters.Service
	Plans     *plans.Service
	Customers *customers.Service
	Credits   *credits.Service
	Invoicing *invoicing.Service
	// Stripe syncs invoices to Stripe; disabled (never nil after Open)
	// without STRIPE_API_KEY.
	Stripe *stripesync.Syncer
	// Advisor answers pricing questions on the catalog (reads only).
	Advisor *advisor.Service
	// Idempotency stores Idempotency-Key replies; nil ignores the header.
	Idempotency *idempotency.Service
	// Webhooks keeps endpoints and the outbox; Dispatcher delivers it (a
	// scheduler job, or on demand).
	Webhooks   *webhooks.Service
	Dispatcher *webhooks.Dispatcher
	// Budgets stores and evaluates budgets; BudgetWorker evaluates the
	// customers ingestion names, off the request path (started by Open,
	// stopped by App.Close).
	Budgets      *budgets.Service
	BudgetWorker *budgets.Worker
}

// API returns the services as the HTTP API takes them.
func (s *Services) API() *api.Services {
	out := &api.Services{DB: s.DB, Clock: s.Clock, Tenants: s.Tenants, Meters: s.Meters, Plans: s.Plans, Customers: s.Customers,
		Credits: s.Credits, Invoicing: s.Invoicing, Stripe: s.Stripe, Webhooks: s.Webhooks, Advisor: s.Advisor, Budgets: s.Budgets}
	if s.BudgetWorker != nil { // a nil *budgets.Worker must stay a nil interface
		out.BudgetWorker = s.BudgetWorker
	}
	if s.Idempotency != nil { // a nil *idempotency.Service must stay a nil interface
		out.Idempotency = s.Idempotency
	}
	return out
}
