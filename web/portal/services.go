package portal

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
	"github.com/tallyhq/tally/tenants"
)

// Tokens finds portal tokens and tenants' test clocks (tenants.Service).
type Tokens interface {
	FindPortalToken(ctx context.Context, secret string) (tenants.PortalToken, error)
	TestClock(ctx context.Context, tenantID string) (time.Time, bool, error)
}

// Customers reads the customer and its subscriptions (customers.Service).
type Customers interface {
	Get(ctx context.Context, tenantID, id string) (customers.Customer, error)
	ListSubscriptions(ctx context.Context, tenantID string, q customers.SubscriptionQuery, page domain.Page) (domain.List[customers.Subscription], error)
	Contexts(ctx context.Context, tenantID string, subs []customers.Subscription) ([]customers.Context, error)
}

// Invoices reads invoices and the credit balance (invoicing.Service).
type Invoices interface {
	ProposedForCustomer(ctx context.Context, tenantID, customerID string, at time.Time) ([]invoicing.Invoice, error)
	List(ctx context.Context, tenantID string, q invoicing.Query, page domain.Page) (domain.List[invoicing.Invoice], error)
	Get(ctx context.Context, tenantID, id string) (invoicing.Invoice, error)
	CreditBalance(ctx context.Context, tenantID, customerID string, at time.Time) ([]credits.UnitBalance, error)
}

// Meters reads meters and usage series (meters.Service).
type Meters interface {
	ByKeys(ctx context.Context, tenantID string, keys []string) (map[string]meters.Meter, error)
	Series(ctx context.Context, tenantID string, q meters.SeriesQuery) ([]meters.Point, error)
}

// Advisor recommends plans (advisor.Service).
type Advisor interface {
	Recommend(ctx context.Context, tenantID string, in advisor.RecommendInput) (advisor.Recommendation, error)
}

// Budgets stores budgets and reads their progress and the low-credit rule
// (budgets.Service).
type Budgets interface {
	List(ctx context.Context, tenantID, customerID string) ([]budgets.Budget, error)
	Create(ctx context.Context, tenantID, customerID string, in budgets.Input) (budgets.Budget, error)
	Delete(ctx context.Context, tenantID, customerID, id string) (budgets.Budget, error)
	Read(ctx context.Context, tenantID, customerID string) (budgets.Reading, bool, error)
	CreditLevel(ctx context.Context, tenantID, customerID string) (domain.LowCreditThreshold, error)
}

// BudgetToucher queues a customer (by external id) for budget evaluation
// (budgets.Worker), so a budget already crossed reports at once.
type BudgetToucher interface {
	Touch(tenantID string, customers []string)
}

// Services are what the portal reads and writes, the same services the
// API's /v1/portal routes call. BudgetWorker may be nil.
type Services struct {
	Clock        domain.Clock
	Tokens       Tokens
	Customers    Customers
	Invoices     Invoices
	Meters       Meters
	Advisor      Advisor
	Budgets      Budgets
	BudgetWorker BudgetToucher
}
