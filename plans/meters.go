package plans

import (
	"context"
	"sort"

	"gorm.io/gorm"
)

// metersByKey are the meters a plan's usage prices name, by key.
type metersByKey map[string]Meter

// meterLookup reads the meters that prices name (none asked for when no
// price names one).
func (s *Service) meterLookup(ctx context.Context, tenantID string, prices []PriceInput, costs []ExternalCostInput) (metersByKey, error) {
	var keys []string
	for _, p := range prices {
		if p.Meter != "" {
			keys = append(keys, p.Meter)
		}
	}
	for _, c := range costs {
		if c.Meter != "" {
			keys = append(keys, c.Meter)
		}
	}
	if len(keys) == 0 {
		return metersByKey{}, nil
	}
	m, err := s.meters.MetersByKey(ctx, tenantID, keys)
	return metersByKey(m), err
}

// keepSeries has meters keep (and backfill) the rollup series each usage
// price reads, in meter id order so that concurrent transactions lock
// meters in one order.
func (s *Service) keepSeries(tx *gorm.DB, tenantID string, prices []Price) error {
	sorted := append([]Price(nil), prices...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].MeterID < sorted[j].MeterID })
	for _, p := range sorted {
		if p.Type != Usage {
			continue
		}
		if err := s.series.KeepSeries(tx, tenantID, p.MeterID, p.Filters); err != nil {
			return err
		}
	}
	return nil
}
