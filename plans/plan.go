package plans

import (
	"time"

	"github.com/tallyhq/tally/calendar"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/domain/eventvalue"
	"github.com/tallyhq/tally/plans/rating"
)

// PriceType says whether a price is a recurring fee or usage.
type PriceType string

const (
	// Fixed is a recurring fee per period (model flat).
	Fixed PriceType = "fixed"
	// Usage prices a meter's quantity, always billed in arrear.
	Usage PriceType = "usage"
)

// Cadence says when a fixed fee is billed.
type Cadence string

const (
	// Advance fees are billed at the start of the period they pay for.
	Advance Cadence = "advance"
	// Arrear fees are billed on the invoice closing their period.
	Arrear Cadence = "arrear"
)

// Plan is a sellable set of prices in one currency and billing interval.
type Plan struct {
	ID          string
	TenantID    string
	Key         string
	Name        string
	Description string
	Currency    domain.Currency
	Interval    calendar.Interval
	Prices      []Price
	// ExternalCosts are what its customers pay providers directly (never
	// invoiced), for the plan advisor.
	ExternalCosts []ExternalCost
	ArchivedAt    *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Price is one price of a plan.
type Price struct {
	ID       string
	Key      string
	Type     PriceType
	MeterID  string // usage only
	MeterKey string // usage only
	Filters  eventvalue.Filters
	Cadence  Cadence // fixed only; usage prices are arrear
	Rating   rating.Price
}

// Price returns the plan's price with the key.
func (p Plan) Price(key string) (Price, bool) {
	for _, pr := range p.Prices {
		if pr.Key == key {
			return pr, true
		}
	}
	return Price{}, false
}

// HasAdvanceFees reports whether any fixed fee is billed in advance (such a
// plan drafts a subscription_start invoice).
func (p Plan) HasAdvanceFees() bool {
	for _, pr := range p.Prices {
		if pr.Type == Fixed && pr.Cadence == Advance {
			return true
		}
	}
	return false
}
