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

// NewService returns a Service. Every collaborator but notify is required:
// meters to check usage prices, series to keep the rollups they read, usage
// to refuse changing what a plan in use was sold; notify (nil: nobody)
// hears of every plan edit (the whole tenant).
func NewService(db *store.DB, clock domain.Clock, meters MeterLookup, series SeriesKeeper, usage PlanUsage, notify domain.Notifier) *Service {
	return &Service{db: db, clock: clock, meters: meters, series: series, usage: usage, notify: notify}
}
