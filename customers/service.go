package customers

import (
	"context"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/plans"
	"github.com/tallyhq/tally/store"
)

// MaxTrialDays bounds trial_days.
const MaxTrialDays = 730

// Catalog is what customers reads of the catalog: a subscription's plan by
// id or key, and plan keys to show. plans.Service is one.
type Catalog interface {
	Get(ctx context.Context, tenantID, id string) (plans.Plan, error)
	GetByKey(ctx context.Context, tenantID, key string) (plans.Plan, error)
	KeysByIDs(ctx context.Context, tenantID string, ids []string) (map[string]string, error)
}

// Service stores customers and subscriptions. It calls nothing above it:
// what follows a new subscription (its first invoice) is the caller's (see
// invoicing.Service.Subscribe).
type Service struct {
	db     *store.DB
	clock  domain.Clock
	plans  Catalog
	notify domain.Notifier
}

// NewService returns a Service reading plans from catalog; notify (nil:
// nobody) hears of every change to a customer or its subscriptions.
func NewService(db *store.DB, clock domain.Clock, catalog Catalog, notify domain.Notifier) *Service {
	return &Service{db: db, clock: clock, plans: catalog, notify: notify}
}
