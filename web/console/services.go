package console

import (
	"context"
	"time"

	"github.com/tallyhq/tally/advisor"
	"github.com/tallyhq/tally/budgets"
	"github.com/tallyhq/tally/credits"
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/invoicing"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/plans"
	"github.com/tallyhq/tally/tenants"
	"github.com/tallyhq/tally/webhooks"
)

// The console's collaborators: each the few methods of one domain service
// the pages call, the same ones the API handlers call.

// Tenants authenticates keys and manages them.
type Tenants interface {
	Authenticate(ctx context.Context, secret string) (tenants.APIKey, error)
	GetKey(ctx context.Context, tenantID, id string) (tenants.APIKey, error)
	GetTenant(ctx context.Context, id string) (tenants.Tenant, error)
	CreateKey(ctx context.Context, tenantID string, in tenants.CreateKeyInput) (tenants.APIKey, string, error)
	ListKeys(ctx context.Context, tenantID string, page domain.Page) (domain.List[tenants.APIKey], error)
	RevokeKey(ctx context.Context, tenantID, id string) (tenants.APIKey, error)
	TestClock(ctx context.Context, tenantID string) (time.Time, bool, error)
}

// Meters lists and creates meters and reads events and usage series.
type Meters interface {
	Create(ctx context.Context, tenantID string, in meters.CreateInput) (meters.Meter, error)
	List(ctx context.Context, tenantID string, page domain.Page, includeArchived bool) (domain.List[meters.Meter], error)
	ListEvents(ctx context.Context, tenantID string, q meters.EventQuery, page domain.Page) (domain.List[meters.Event], error)
	Series(ctx context.Context, tenantID string, q meters.SeriesQuery) ([]meters.Point, error)
	ByKeys(ctx context.Context, tenantID string, keys []string) (map[string]meters.Meter, error)
}

// Plans is the catalog.
type Plans interface {
	Create(ctx context.Context, tenantID string, in plans.CreateInput) (plans.Plan, error)
	Draft(ctx context.Context, tenantID string, in plans.CreateInput) (plans.Plan, error)
	Get(ctx context.Context, tenantID, id string) (plans.Plan, error)
	List(ctx context.Context, tenantID string, page domain.Page, includeArchived bool) (domain.List[plans.Plan], error)
}

// Customers reads and creates customers and subscriptions.
type Customers interface {
	Create(ctx context.Context, tenantID string, in customers.CreateInput) (customers.Customer, error)
	Get(ctx context.Context, tenantID, id string) (customers.Customer, error)
	GetByExternalID(ctx context.Context, tenantID, externalID string) (customers.Customer, error)
	List(ctx context.Context, tenantID string, page domain.Page) (domain.List[customers.Customer], error)
	GetSubscription(ctx context.Context, tenantID, id string) (customers.Subscription, error)
	ListSubscriptions(ctx context.Context, tenantID string, q customers.SubscriptionQuery, page domain.Page) (domain.List[customers.Subscription], error)
}

// Credits grants credit and reads the ledger.
type Credits interface {
	Create(ctx context.Context, tenantID, customerID string, cur domain.Currency, in credits.CreateInput) (credits.Grant, error)
	List(ctx context.Context, tenantID, customerID string) ([]credits.Grant, error)
	Ledger(ctx context.Context, tenantID, customerID string, now time.Time, page domain.Page) (domain.List[credits.Entry], error)
}

// Invoicing is subscriptions' lifecycle, invoices and runs.
type Invoicing interface {
	Subscribe(ctx context.Context, tenantID string, in customers.CreateSubscriptionInput) (customers.Subscription, error)
	Cancel(ctx context.Context, tenantID, subscriptionID string, in invoicing.CancelInput) (invoicing.Change, error)
	ChangePlan(ctx context.Context, tenantID, subscriptionID string, in invoicing.ChangePlanInput) (invoicing.Change, error)
	ProposedForCustomer(ctx context.Context, tenantID, customerID string, at time.Time) ([]invoicing.Invoice, error)
	CreditBalance(ctx context.Context, tenantID, customerID string, at time.Time) ([]credits.UnitBalance, error)
	PurchaseCredits(ctx context.Context, tenantID, customerID string, in credits.CreateInput) (credits.Grant, invoicing.Invoice, error)
	Get(ctx context.Context, tenantID, id string) (invoicing.Invoice, error)
	List(ctx context.Context, tenantID string, q invoicing.Query, page domain.Page) (domain.List[invoicing.Invoice], error)
	Finalize(ctx context.Context, tenantID, id string) (invoicing.Invoice, error)
	Transition(ctx context.Context, tenantID, id string, to invoicing.Status) (invoicing.Invoice, error)
	Regenerate(ctx context.Context, tenantID, id string) (invoicing.Invoice, error)
	StartRun(ctx context.Context, tenantID string, asOf *time.Time, wait bool) (invoicing.Run, error)
	GetRun(ctx context.Context, tenantID, id string) (invoicing.Run, error)
}

// Advisor compares, finds break-evens and backtests (reads only).
type Advisor interface {
	Compare(ctx context.Context, tenantID string, in advisor.CompareInput) (advisor.Comparison, error)
	BreakEven(ctx context.Context, tenantID string, in advisor.BreakEvenInput) (advisor.BreakEven, error)
	Backtest(ctx context.Context, tenantID, planID string, in advisor.BacktestInput, row func(advisor.BacktestRow) error) (advisor.BacktestTotals, error)
}

// Budgets manages a customer's budgets.
type Budgets interface {
	List(ctx context.Context, tenantID, customerID string) ([]budgets.Budget, error)
	Create(ctx context.Context, tenantID, customerID string, in budgets.Input) (budgets.Budget, error)
	Delete(ctx context.Context, tenantID, customerID, id string) (budgets.Budget, error)
}

// BudgetWorker evaluates the named customers' budgets soon
// (budgets.Worker).
type BudgetWorker interface {
	Touch(tenantID string, customers []string)
}

// BudgetReader reads a customer's live spend and usage, the figures its
// budgets are evaluated on (budgets.Reader, as the budget worker reads them).
type BudgetReader interface {
	Read(ctx context.Context, tenantID, customerID string) (budgets.Reading, bool, error)
}

// Webhooks manages endpoints and deliveries.
type Webhooks interface {
	CreateEndpoint(ctx context.Context, tenantID string, in webhooks.EndpointInput) (webhooks.Endpoint, error)
	GetEndpoint(ctx context.Context, tenantID, id string) (webhooks.Endpoint, error)
	ListEndpoints(ctx context.Context, tenantID string, page domain.Page) (domain.List[webhooks.Endpoint], error)
	DeleteEndpoint(ctx context.Context, tenantID, id string) (webhooks.Endpoint, error)
	Deliveries(ctx context.Context, tenantID, endpointID string, page domain.Page) (domain.List[webhooks.Delivery], error)
	Redeliver(ctx context.Context, tenantID, id string) (webhooks.Delivery, error)
}

// Stripe syncs an invoice to Stripe (disabled without STRIPE_API_KEY).
type Stripe interface {
	Enabled() bool
	Sync(ctx context.Context, tenantID, id string) (invoicing.Invoice, error)
}

// Services are the console's collaborators.
type Services struct {
	Tenants   Tenants
	Meters    Meters
	Plans     Plans
	Customers Customers
	Credits   Credits
	Invoicing Invoicing
	Advisor   Advisor
	Budgets   Budgets
	// BudgetReader, when set, draws each budget's progress.
	BudgetReader BudgetReader
	// BudgetWorker, when set, is touched after a budget is created.
	BudgetWorker BudgetWorker
	Webhooks     Webhooks
	Stripe       Stripe
}
