package plans

import (
	"context"

	"github.com/tallyhq/tally/domain/eventvalue"
	"gorm.io/gorm"
)

// The catalog's collaborators: small interfaces that plans owns and that
// app satisfies with the meters and customers services, so that plans
// imports neither (arrows point down; see the architecture sketch).

// Meter is what the catalog knows of a meter: enough to check a usage price
// against it and to show the price.
type Meter struct {
	ID       string
	Key      string
	Unit     string
	Archived bool
}

// MeterLookup finds a tenant's meters. Each map is keyed by what was asked
// (a key or an id); a meter that does not exist is left out, which the
// catalog reports as an unknown meter.
type MeterLookup interface {
	MetersByKey(ctx context.Context, tenantID string, keys []string) (map[string]Meter, error)
	MetersByID(ctx context.Context, tenantID string, ids []string) (map[string]Meter, error)
}

// SeriesKeeper keeps the rollup series a usage price reads: the meter's
// events narrowed by the price's filters, created and backfilled when new.
// It runs inside tx, the transaction that stores the price, and must use
// only tx. meters.Service is one.
type SeriesKeeper interface {
	KeepSeries(tx *gorm.DB, tenantID, meterID string, filters eventvalue.Filters) error
}

// PlanUsage says whether a plan has subscriptions: a plan in use keeps its
// currency, interval and prices. customers.PlanUsage is one.
type PlanUsage interface {
	PlanInUse(ctx context.Context, tenantID, planID string) (bool, error)
}
