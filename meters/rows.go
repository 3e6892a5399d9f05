package meters

import (
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
)

type meterRow struct {
	ID               string `gorm:"primaryKey"`
	TenantID         string
	Key              string
	Name             string
	EventName        string
	AggregationType  string
	AggregationField string
	Filters          string
	Unit             string
	CostPerUnit      *string
	CostCurrency     *string
	ArchivedAt       *time.Time
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

func (meterRow) TableName() string { return "meters" }

func (r meterRow) toMeter() Meter {
	m := Meter{ID: r.ID, TenantID: r.TenantID, Key: r.Key, Name: r.Name, EventName: r.EventName,
		Aggregation: Aggregation{Type: AggregationType(r.AggregationType), Field: r.AggregationField},
		Filters:     decodeFilters(r.Filters), Unit: r.Unit, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if r.ArchivedAt != nil {
		t := r.ArchivedAt.UTC()
		m.ArchivedAt = &t
	}
	if r.CostPerUnit != nil && r.CostCurrency != nil {
		if d, err := decimal.NewFromString(*r.CostPerUnit); err == nil {
			m.Cost = &Cost{PerUnit: d, Currency: domain.Currency(*r.CostCurrency)}
		}
	}
	return m
}

type eventRow struct {
	TenantID   string `gorm:"primaryKey"`
	ID         string `gorm:"primaryKey"`
	EventName  string
	Customer   string
	Ts         int64
	Properties string
	ReceivedAt int64
}

func (eventRow) TableName() string { return "events" }

func (r eventRow) toEvent() Event {
	p, err := ParseProperties([]byte(r.Properties))
	if err != nil {
		p = Properties{}
	}
	return Event{ID: r.ID, EventName: r.EventName, Customer: r.Customer, Timestamp: time.UnixMicro(r.Ts).UTC(),
		Properties: p, ReceivedAt: time.UnixMicro(r.ReceivedAt).UTC()}
}
