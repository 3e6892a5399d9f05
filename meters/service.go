package meters

import (
	"context"
	"fmt"
	"strings"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/domain/eventvalue"
	"github.com/tallyhq/tally/store"
)

// Service stores meters, validates events against them and asks its
// EventStore to store and aggregate them. Meters live in db; events,
// rollups and aggregation queries only ever go through the EventStore.
type Service struct {
	db     *store.DB
	events EventStore
	clock  domain.Clock
	notify domain.Notifier
}

// NewService returns a Service on db whose events are kept in db too, by
// the SQL store of db's dialect (NewSQLStore). notify (nil: nobody) hears
// of every committed ingestion (per customer) and meter edit (the whole
// tenant).
func NewService(db *store.DB, clock domain.Clock, notify domain.Notifier) *Service {
	return NewServiceWithStore(db, NewSQLStore(db, clock), clock, notify)
}

// NewServiceWithStore returns a Service keeping meters in db and events in
// events, which may be any EventStore that passes meters/eventstoretest;
// notify as for NewService.
func NewServiceWithStore(db *store.DB, events EventStore, clock domain.Clock, notify domain.Notifier) *Service {
	return &Service{db: db, events: events, clock: clock, notify: notify}
}

// Events is the store the service keeps events in.
func (s *Service) Events() EventStore { return s.events }

// Create stores a new meter; a key already used in the tenant (archived
// meters included) is a conflict.
func (s *Service) Create(ctx context.Context, tenantID string, in CreateInput) (Meter, error) {
	if err := in.Validate(); err != nil {
		return Meter{}, err
	}
	now := s.clock.Now(ctx)
	name := strings.TrimSpace(in.Name)
	if name == "" {
		name = in.Key
	}
	r := meterRow{ID: domain.NewID(domain.PrefixMeter), TenantID: tenantID, Key: in.Key, Name: name,
		EventName: strings.TrimSpace(in.EventName), AggregationType: string(in.Aggregation.Type),
		AggregationField: strings.TrimSpace(in.Aggregation.Field), Filters: eventvalue.EncodeFilters(in.Filters), Unit: in.Unit,
		CreatedAt: now, UpdatedAt: now}
	r.CostPerUnit, r.CostCurrency = in.Cost.columns()
	if err := s.db.WithContext(ctx).Create(&r).Error; err != nil {
		if store.IsUniqueViolation(err) {
			return Meter{}, domain.Conflict("duplicate_key", "a meter with key %q already exists", in.Key)
		}
		return Meter{}, fmt.Errorf("create meter: %w", err)
	}
	return r.toMeter(), nil
}

// Get reads a meter by id.
func (s *Service) Get(ctx context.Context, tenantID, id string) (Meter, error) {
	var r meterRow
	if err := s.db.WithContext(ctx).Where("tenant_id = ? AND id = ?", tenantID, id).Take(&r).Error; err != nil {
		if store.IsNotFound(err) {
			return Meter{}, domain.NotFound("meter", id)
		}
		return Meter{}, fmt.Errorf("get meter: %w", err)
	}
	return r.toMeter(), nil
}

// ByKeys reads meters by key (archived included); a missing key is absent
// from the map.
func (s *Service) ByKeys(ctx context.Context, tenantID string, keys []string) (map[string]Meter, error) {
	var rows []meterRow
	if err := s.db.WithContext(ctx).Where("tenant_id = ? AND key IN ?", tenantID, keys).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("meters by key: %w", err)
	}
	out := make(map[string]Meter, len(rows))
	for _, r := range rows {
		out[r.Key] = r.toMeter()
	}
	return out, nil
}

// ByIDs reads meters by id.
func (s *Service) ByIDs(ctx context.Context, tenantID string, ids []string) (map[string]Meter, error) {
	var rows []meterRow
	if err := s.db.WithContext(ctx).Where("tenant_id = ? AND id IN ?", tenantID, ids).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("meters by id: %w", err)
	}
	out := make(map[string]Meter, len(rows))
	for _, r := range rows {
		out[r.ID] = r.toMeter()
	}
	return out, nil
}

// List lists the tenant's meters, oldest first; archived ones only when asked.
func (s *Service) List(ctx context.Context, tenantID string, page domain.Page, includeArchived bool) (domain.List[Meter], error) {
	page, err := page.Normalize()
	if err != nil {
		return domain.List[Meter]{}, err
	}
	q := s.db.WithContext(ctx).Where("tenant_id = ?", tenantID)
	if !includeArchived {
		q = q.Where("archived_at IS NULL")
	}
	if page.Cursor != "" {
		q = q.Where("id > ?", page.Cursor)
	}
	var rows []meterRow
	if err := q.Order("id").Limit(page.Limit + 1).Find(&rows).Error; err != nil {
		return domain.List[Meter]{}, fmt.Errorf("list meters: %w", err)
	}
	out := make([]Meter, len(rows))
	for i, r := range rows {
		out[i] = r.toMeter()
	}
	return domain.PageOf(out, page.Limit, func(m Meter) string { return m.ID }), nil
}

// Update changes a meter's name or unit.
func (s *Service) Update(ctx context.Context, tenantID, id string, in UpdateInput) (Meter, error) {
	defer domain.Notify(s.notify, domain.Change{TenantID: tenantID})
	m, err := s.Get(ctx, tenantID, id)
	if err != nil {
		return Meter{}, err
	}
	var p domain.Problems
	if in.Name != nil && strings.TrimSpace(*in.Name) == "" {
		p.Add("name", "must not be blank")
	}
	if in.Cost != nil {
		in.Cost.validate(&p)
	}
	if err := p.Err(); err != nil {
		return Meter{}, err
	}
	updates := map[string]any{"updated_at": s.clock.Now(ctx)}
	if in.Name != nil {
		updates["name"] = strings.TrimSpace(*in.Name)
	}
	if in.Unit != nil {
		updates["unit"] = *in.Unit
	}
	if in.Cost != nil {
		updates["cost_per_unit"], updates["cost_currency"] = in.Cost.columns()
	}
	if err := s.db.WithContext(ctx).Model(&meterRow{}).Where("tenant_id = ? AND id = ?", tenantID, m.ID).Updates(updates).Error; err != nil {
		return Meter{}, fmt.Errorf("update meter: %w", err)
	}
	return s.Get(ctx, tenantID, id)
}

// Archive hides a meter from lists and from new prices; events keep being
// stored and prices that already use it keep billing. Archiving twice is
// harmless.
func (s *Service) Archive(ctx context.Context, tenantID, id string) (Meter, error) {
	defer domain.Notify(s.notify, domain.Change{TenantID: tenantID})
	m, err := s.Get(ctx, tenantID, id)
	if err != nil {
		return Meter{}, err
	}
	if m.ArchivedAt == nil {
		now := s.clock.Now(ctx)
		if err := s.db.WithContext(ctx).Model(&meterRow{}).Where("tenant_id = ? AND id = ?", tenantID, id).
			Updates(map[string]any{"archived_at": now, "updated_at": now}).Error; err != nil {
			return Meter{}, fmt.Errorf("archive meter: %w", err)
		}
	}
	return s.Get(ctx, tenantID, id)
}

// forEvents returns the tenant's meters (archived included: a price may still
// bill them) grouped by event name.
func (s *Service) forEvents(ctx context.Context, tenantID string) (map[string][]Meter, error) {
	var rows []meterRow
	if err := s.db.WithContext(ctx).Where("tenant_id = ?", tenantID).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load meters: %w", err)
	}
	out := map[string][]Meter{}
	for _, r := range rows {
		m := r.toMeter()
		out[m.EventName] = append(out[m.EventName], m)
	}
	return out, nil
}
