package advisor

import (
	"context"

	"github.com/tallyhq/tally/plans"
)

// Catalog reads plans (plans.Service is one).
type Catalog interface {
	Get(ctx context.Context, tenantID, id string) (plans.Plan, error)
	GetByKey(ctx context.Context, tenantID, key string) (plans.Plan, error)
}

// Meters finds a tenant's meters by key; a meter left out of the map does
// not exist (app.CatalogMeters is one).
type Meters interface {
	MetersByKey(ctx context.Context, tenantID string, keys []string) (map[string]plans.Meter, error)
}

// Service answers the advisor's questions; it writes nothing.
type Service struct {
	catalog Catalog
	meters  Meters
	// history, when set, backs Recommend and Backtest.
	history *History
}

// NewService returns a Service on its read-only collaborators; history
// (nil: Recommend and Backtest answer advisor_unavailable) is the usage
// history they read.
func NewService(catalog Catalog, meters Meters, history *History) *Service {
	return &Service{catalog: catalog, meters: meters, history: history}
}
