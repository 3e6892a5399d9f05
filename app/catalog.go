package app

import (
	"context"

	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/plans"
)

// CatalogMeters is the meters service as the catalog sees it
// (plans.MeterLookup): a meter's id, key, unit and whether it is archived.
// The series the catalog's usage prices read are kept by the meters service
// itself (it is a plans.SeriesKeeper).
func CatalogMeters(ms *meters.Service) plans.MeterLookup { return catalogMeters{ms} }

type catalogMeters struct{ ms *meters.Service }

func (c catalogMeters) MetersByKey(ctx context.Context, tenantID string, keys []string) (map[string]plans.Meter, error) {
	m, err := c.ms.ByKeys(ctx, tenantID, keys)
	return catalogView(m), err
}

func (c catalogMeters) MetersByID(ctx context.Context, tenantID string, ids []string) (map[string]plans.Meter, error) {
	m, err := c.ms.ByIDs(ctx, tenantID, ids)
	return catalogView(m), err
}

func catalogView(in map[string]meters.Meter) map[string]plans.Meter {
	out := make(map[string]plans.Meter, len(in))
	for k, m := range in {
		out[k] = plans.Meter{ID: m.ID, Key: m.Key, Unit: m.Unit, Archived: m.ArchivedAt != nil}
	}
	return out
}
