package plans

import (
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
)

// Service stores plans and prices.
type Service struct {
	db     *store.DB
	clock  domain.Clock
	meters MeterLookup
	series SeriesKeeper
	usage  PlanUsage
	notify domain.Notifier
}

// SetNotifier makes the service tell n of every plan edit (the whole
// tenant).
func (s *Service) SetNotifier(n domain.Notifier) { s.notify = n }

// NewService returns a Service. Every collaborator is required: meters to
// check usage prices, series to keep the rollups they read, usage to refuse
// changing what a plan in use was sold.
func NewService(db *store.DB, clock domain.Clock, meters MeterLookup, series SeriesKeeper, usage PlanUsage) *Service {
	return &Service{db: db, clock: clock, meters: meters, series: series, usage: usage}
}
