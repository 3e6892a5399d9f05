package webhooks

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/tallyhq/tally/domain"
	"gorm.io/gorm"
)

// rowsPerInsert bounds the rows of one multi-row INSERT of events or
// deliveries (SQLite allows 32,766 bound values).
const rowsPerInsert = 500

// EmitManyTx is EmitTx for several events of one tenant at once (an
// invoice run's page): every event is recorded, and gets one pending
// delivery per endpoint subscribed to its type then, exactly as EmitTx
// would give it; the endpoints are read once and the rows written in
// multi-row inserts, all inside tx. It returns the event ids, in order.
// An unknown type fails the whole call before anything is written.
func (s *Service) EmitManyTx(tx *gorm.DB, tenantID string, es []Event) ([]string, error) {
	for _, e := range es {
		if !Known(e.Type) {
			return nil, fmt.Errorf("webhooks: unknown event type %q", e.Type)
		}
	}
	if len(es) == 0 {
		return []string{}, nil
	}
	now := s.clock.Now(tx.Statement.Context)
	rows := make([]eventRow, len(es))
	ids := make([]string, len(es))
	for i, e := range es {
		id := domain.NewID(idPrefixEvent)
		raw, err := json.Marshal(body{ID: id, Type: e.Type, Created: now.Format(time.RFC3339Nano), Data: e.Data})
		if err != nil {
			return nil, fmt.Errorf("webhooks: encode %s: %w", e.Type, err)
		}
		rows[i] = eventRow{ID: id, TenantID: tenantID, Type: e.Type, CustomerID: e.CustomerID, Body: string(raw), CreatedAt: now.UnixMicro()}
		ids[i] = id
	}
	if err := tx.CreateInBatches(&rows, rowsPerInsert).Error; err != nil {
		return nil, fmt.Errorf("write webhook event: %w", err)
	}
	var eps []endpointRow
	if err := tx.Where("tenant_id = ?", tenantID).Order("id").Find(&eps).Error; err != nil {
		return nil, fmt.Errorf("read webhook endpoints: %w", err)
	}
	// Deliveries are scheduled on the server's clock, not the tenant's test
	// clock (which may be ahead): the dispatcher sends them on that clock.
	sched := s.clock.Now(domain.WithoutNow(tx.Statement.Context))
	var ds []deliveryRow
	for i, e := range es {
		for _, ep := range eps {
			if ep.subscribes(e.Type) {
				ds = append(ds, deliveryRow{ID: domain.NewID(idPrefixDelivery), TenantID: tenantID, EndpointID: ep.ID, EventID: ids[i], Status: Pending,
					NextAttemptAt: sched.UnixMicro(), GiveUpAt: sched.Add(RetryWindow).UnixMicro(), CreatedAt: now.UnixMicro()})
			}
		}
	}
	if len(ds) > 0 {
		if err := tx.CreateInBatches(&ds, rowsPerInsert).Error; err != nil {
			return nil, fmt.Errorf("write webhook deliveries: %w", err)
		}
	}
	return ids, nil
}
