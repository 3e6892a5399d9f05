package webhooks

import (
	"strings"
	"time"
)

type endpointRow struct {
	ID          string `gorm:"primaryKey"`
	TenantID    string
	URL         string `gorm:"column:url"`
	Description string
	Events      string
	Secret      string
	CreatedAt   int64 `gorm:"autoCreateTime:false"`
	UpdatedAt   int64 `gorm:"autoUpdateTime:false"`
}

func (endpointRow) TableName() string { return "webhook_endpoints" }

type eventRow struct {
	ID         string `gorm:"primaryKey"`
	TenantID   string
	Type       string
	CustomerID string
	Body       string
	CreatedAt  int64 `gorm:"autoCreateTime:false"`
}

func (eventRow) TableName() string { return "webhook_events" }

type deliveryRow struct {
	ID            string `gorm:"primaryKey"`
	TenantID      string
	EndpointID    string
	EventID       string
	Status        string
	Attempts      int
	NextAttemptAt int64
	GiveUpAt      int64
	LastAttemptAt *int64
	LastStatus    *int
	LastError     string
	DeliveredAt   *int64
	CreatedAt     int64 `gorm:"autoCreateTime:false"`
}

func (deliveryRow) TableName() string { return "webhook_deliveries" }

// Endpoint is a URL a tenant receives events at. Secret is set only in
// the reply to Create (shown once).
type Endpoint struct {
	ID          string
	TenantID    string
	URL         string
	Description string
	Events      []string
	Secret      string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (r endpointRow) toEndpoint() Endpoint {
	return Endpoint{ID: r.ID, TenantID: r.TenantID, URL: r.URL, Description: r.Description, Events: strings.Split(r.Events, ","),
		CreatedAt: fromMicros(r.CreatedAt), UpdatedAt: fromMicros(r.UpdatedAt)}
}

func (r endpointRow) subscribes(t string) bool {
	for _, e := range strings.Split(r.Events, ",") {
		if e == t {
			return true
		}
	}
	return false
}

// Delivery status values.
const (
	Pending   = "pending"
	Delivered = "delivered"
	Failed    = "failed"
)

// Delivery is one event sent (or to be sent) to one endpoint, with the
// outcome of its last attempt.
type Delivery struct {
	ID            string
	EndpointID    string
	EventID       string
	EventType     string
	Status        string
	Attempts      int
	NextAttemptAt *time.Time // pending only
	GiveUpAt      time.Time
	LastAttemptAt *time.Time
	LastStatus    *int
	LastError     string
	DeliveredAt   *time.Time
	CreatedAt     time.Time
}

func (r deliveryRow) toDelivery(eventType string) Delivery {
	d := Delivery{ID: r.ID, EndpointID: r.EndpointID, EventID: r.EventID, EventType: eventType, Status: r.Status, Attempts: r.Attempts,
		GiveUpAt: fromMicros(r.GiveUpAt), LastAttemptAt: fromMicrosPtr(r.LastAttemptAt), LastStatus: r.LastStatus, LastError: r.LastError,
		DeliveredAt: fromMicrosPtr(r.DeliveredAt), CreatedAt: fromMicros(r.CreatedAt)}
	if r.Status == Pending {
		t := fromMicros(r.NextAttemptAt)
		d.NextAttemptAt = &t
	}
	return d
}

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

func fromMicrosPtr(us *int64) *time.Time {
	if us == nil {
		return nil
	}
	t := fromMicros(*us)
	return &t
}
