package meters

import (
	"context"

	"github.com/shopspring/decimal"
)

// Quantity aggregates the meter's events of one customer (by external_id)
// over the window, narrowed by extra filters (a price's), as the event
// store answers it (see EventStore.Quantity): equal, on every store, to
// Aggregate of the raw events.
func (s *Service) Quantity(ctx context.Context, tenantID string, m Meter, customer string, extra Filters, w Window) (decimal.Decimal, error) {
	return s.events.Quantity(ctx, tenantID, m, customer, extra, w)
}
