package webhooks

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
	"gorm.io/gorm"
)

// RetryWindow is how long a delivery is retried after its event (or its
// redelivery) before it is marked failed.
const RetryWindow = 24 * time.Hour

// Service keeps endpoints, writes the outbox and reads the delivery log.
// Its clock dates events and due times, so a test clock moves them.
type Service struct {
	db    *store.DB
	clock domain.Clock
}

// NewService returns a Service.
func NewService(db *store.DB, clock domain.Clock) *Service { return &Service{db: db, clock: clock} }

// EndpointInput creates or (fields set) changes an endpoint.
type EndpointInput struct {
	URL         *string
	Events      []string // nil: unchanged on update
	Description *string
}

func checkURL(u string) error {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return domain.Invalid("url", "must be an absolute http or https URL")
	}
	return nil
}

// CreateEndpoint stores an endpoint with a fresh secret ("whsec_" and 64 hex
// digits), returned only here: it is stored to sign deliveries but never
// shown again.
func (s *Service) CreateEndpoint(ctx context.Context, tenantID string, in EndpointInput) (Endpoint, error) {
	var p domain.Problems
	if in.URL == nil || strings.TrimSpace(*in.URL) == "" {
		p.Add("url", "is required")
	} else if err := checkURL(*in.URL); err != nil {
		p.Add("url", "must be an absolute http or https URL")
	}
	events := checkEvents(&p, "events", in.Events)
	if err := p.Err(); err != nil {
		return Endpoint{}, err
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return Endpoint{}, err
	}
	now := s.clock.Now(ctx).UnixMicro()
	r := endpointRow{ID: domain.NewID(idPrefixEndpoint), TenantID: tenantID, URL: *in.URL, Events: strings.Join(events, ","),
		Secret: "whsec_" + hex.EncodeToString(b[:]), CreatedAt: now, UpdatedAt: now}
	if in.Description != nil {
		r.Description = *in.Description
	}
	if err := s.db.WithContext(ctx).Create(&r).Error; err != nil {
		return Endpoint{}, fmt.Errorf("create webhook endpoint: %w", err)
	}
	e := r.toEndpoint()
	e.Secret = r.Secret
	return e, nil
}

func (s *Service) endpoint(db *gorm.DB, tenantID, id string) (endpointRow, error) {
	var r endpointRow
	if err := db.Where("tenant_id = ? AND id = ?", tenantID, id).Take(&r).Error; err != nil {
		if store.IsNotFound(err) {
			return r, domain.NotFound("webhook endpoint", id)
		}
		return r, fmt.Errorf("read webhook endpoint: %w", err)
	}
	return r, nil
}

// GetEndpoint reads an endpoint (without its secret).
func (s *Service) GetEndpoint(ctx context.Context, tenantID, id string) (Endpoint, error) {
	r, err := s.endpoint(s.db.WithContext(ctx), tenantID, id)
	return r.toEndpoint(), err
}

// ListEndpoints lists a tenant's endpoints in creation order.
func (s *Service) ListEndpoints(ctx context.Context, tenantID string, page domain.Page) (domain.List[Endpoint], error) {
	page, err := page.Normalize()
	if err != nil {
		return domain.List[Endpoint]{}, err
	}
	var rows []endpointRow
	q := s.db.WithContext(ctx).Where("tenant_id = ? AND id > ?", tenantID, page.Cursor).Order("id").Limit(page.Limit + 1)
	if err := q.Find(&rows).Error; err != nil {
		return domain.List[Endpoint]{}, fmt.Errorf("list webhook endpoints: %w", err)
	}
	out := make([]Endpoint, len(rows))
	for i, r := range rows {
		out[i] = r.toEndpoint()
	}
	return domain.PageOf(out, page.Limit, func(e Endpoint) string { return e.ID }), nil
}

// UpdateEndpoint changes the fields set in in. A new event list applies to
// events emitted from then on; deliveries already written stay.
func (s *Service) UpdateEndpoint(ctx context.Context, tenantID, id string, in EndpointInput) (Endpoint, error) {
	set := map[string]any{"updated_at": s.clock.Now(ctx).UnixMicro()}
	if in.URL != nil {
		if err := checkURL(*in.URL); err != nil {
			return Endpoint{}, err
		}
		set["url"] = *in.URL
	}
	if in.Events != nil {
		var p domain.Problems
		events := checkEvents(&p, "events", in.Events)
		if err := p.Err(); err != nil {
			return Endpoint{}, err
		}
		set["events"] = strings.Join(events, ",")
	}
	if in.Description != nil {
		set["description"] = *in.Description
	}
	res := s.db.WithContext(ctx).Model(&endpointRow{}).Where("tenant_id = ? AND id = ?", tenantID, id).Updates(set)
	if res.Error != nil {
		return Endpoint{}, fmt.Errorf("update webhook endpoint: %w", res.Error)
	}
	return s.GetEndpoint(ctx, tenantID, id)
}

// DeleteEndpoint removes an endpoint with its delivery log; its pending
// deliveries are never sent. It returns the endpoint as it was.
func (s *Service) DeleteEndpoint(ctx context.Context, tenantID, id string) (Endpoint, error) {
	var e Endpoint
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		r, err := s.endpoint(tx, tenantID, id)
		if err != nil {
			return err
		}
		e = r.toEndpoint()
		if err := tx.Where("endpoint_id = ?", id).Delete(&deliveryRow{}).Error; err != nil {
			return err
		}
		return tx.Delete(&endpointRow{}, "id = ?", id).Error
	})
	return e, err
}

// body is the JSON every delivery of an event sends.
type body struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Created string `json:"created"`
	Data    any    `json:"data"`
}

// EmitTx writes e to the outbox inside tx, the transaction of the change it
// reports, with one pending delivery per endpoint of the tenant subscribed
// to its type (endpoints created later do not get it). It returns the
// event id. With no subscribed endpoint the event is still recorded.
func (s *Service) EmitTx(tx *gorm.DB, tenantID string, e Event) (string, error) {
	ids, err := s.EmitManyTx(tx, tenantID, []Event{e})
	if err != nil {
		return "", err
	}
	return ids[0], nil
}

// Deliveries is an endpoint's delivery log, newest first.
func (s *Service) Deliveries(ctx context.Context, tenantID, endpointID string, page domain.Page) (domain.List[Delivery], error) {
	page, err := page.Normalize()
	if err != nil {
		return domain.List[Delivery]{}, err
	}
	if _, err := s.endpoint(s.db.WithContext(ctx), tenantID, endpointID); err != nil {
		return domain.List[Delivery]{}, err
	}
	q := s.db.WithContext(ctx).Where("endpoint_id = ?", endpointID).Order("id DESC").Limit(page.Limit + 1)
	if page.Cursor != "" {
		q = q.Where("id < ?", page.Cursor)
	}
	var rows []deliveryRow
	if err := q.Find(&rows).Error; err != nil {
		return domain.List[Delivery]{}, fmt.Errorf("list webhook deliveries: %w", err)
	}
	out, err := s.withTypes(s.db.WithContext(ctx), rows)
	if err != nil {
		return domain.List[Delivery]{}, err
	}
	return domain.PageOf(out, page.Limit, func(d Delivery) string { return d.ID }), nil
}

// Redeliver sends a delivery again, whatever its status: it becomes pending
// and due now, its attempts restart and it is retried for RetryWindow
// more. The event (and its id) is the same, so receivers can dedupe.
func (s *Service) Redeliver(ctx context.Context, tenantID, id string) (Delivery, error) {
	now := s.clock.Now(domain.WithoutNow(ctx)) // the dispatcher's clock, as EmitTx schedules
	res := s.db.WithContext(ctx).Model(&deliveryRow{}).Where("tenant_id = ? AND id = ?", tenantID, id).Updates(map[string]any{
		"status": Pending, "attempts": 0, "next_attempt_at": now.UnixMicro(), "give_up_at": now.Add(RetryWindow).UnixMicro()})
	if res.Error != nil {
		return Delivery{}, fmt.Errorf("redeliver: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return Delivery{}, domain.NotFound("webhook delivery", id)
	}
	return s.Delivery(ctx, tenantID, id)
}

// Delivery reads one delivery.
func (s *Service) Delivery(ctx context.Context, tenantID, id string) (Delivery, error) {
	var r deliveryRow
	if err := s.db.WithContext(ctx).Where("tenant_id = ? AND id = ?", tenantID, id).Take(&r).Error; err != nil {
		if store.IsNotFound(err) {
			return Delivery{}, domain.NotFound("webhook delivery", id)
		}
		return Delivery{}, fmt.Errorf("read webhook delivery: %w", err)
	}
	out, err := s.withTypes(s.db.WithContext(ctx), []deliveryRow{r})
	if err != nil {
		return Delivery{}, err
	}
	return out[0], nil
}

// withTypes turns rows into Deliveries with their events' types.
func (s *Service) withTypes(db *gorm.DB, rows []deliveryRow) ([]Delivery, error) {
	events, err := eventsOf(db, rows)
	if err != nil {
		return nil, err
	}
	out := make([]Delivery, len(rows))
	for i, r := range rows {
		out[i] = r.toDelivery(events[r.EventID].Type)
	}
	return out, nil
}

// eventsOf reads the events of rows by id.
func eventsOf(db *gorm.DB, rows []deliveryRow) (map[string]eventRow, error) {
	out := map[string]eventRow{}
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.EventID
	}
	var evs []eventRow
	if err := db.Where("id IN ?", ids).Find(&evs).Error; err != nil {
		return nil, fmt.Errorf("read webhook events: %w", err)
	}
	for _, e := range evs {
		out[e.ID] = e
	}
	return out, nil
}
