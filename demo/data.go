package demo

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/meters"
)

// dataJSON is the demo tenant, written in the shape of the shared billing
// scenarios (/v1 request bodies), plus a demo-only "usage" section.
//
//go:embed data.json
var dataJSON []byte

// Data is the parsed demo data.
type Data struct {
	Name   string      `json:"name"`
	About  string      `json:"about"`
	Meters []MeterSpec `json:"meters"`
	Plans  []PlanSpec  `json:"plans"`
	// LocalPlans are demo-only plans in other currencies than the shared
	// scenarios' USD (the scenarios' Plans are kept equal to those files).
	LocalPlans    []PlanSpec         `json:"local_plans"`
	Customers     []CustomerSpec     `json:"customers"`
	Subscriptions []SubscriptionSpec `json:"subscriptions"`
	CreditGrants  []CreditGrantSpec  `json:"credit_grants"`
	Usage         []UsageSpec        `json:"usage"`
}

// MeterSpec is a POST /v1/meters body.
type MeterSpec struct {
	Key         string `json:"key"`
	Name        string `json:"name"`
	EventName   string `json:"event_name"`
	Aggregation struct {
		Type  string `json:"type"`
		Field string `json:"field"`
	} `json:"aggregation"`
	Filters meters.Filters `json:"filters"`
	Unit    string         `json:"unit"`
}

// TierSpec is one tier of a price.
type TierSpec struct {
	UpTo       *decimal.Decimal `json:"up_to"`
	UnitAmount *decimal.Decimal `json:"unit_amount"`
	FlatAmount *decimal.Decimal `json:"flat_amount"`
}

// PriceSpec is one price of a POST /v1/plans body.
type PriceSpec struct {
	Key            string           `json:"key"`
	Type           string           `json:"type"`
	Model          string           `json:"model"`
	Meter          string           `json:"meter"`
	Amount         *decimal.Decimal `json:"amount"`
	PackageSize    *decimal.Decimal `json:"package_size"`
	Rounding       string           `json:"rounding"`
	TierMode       string           `json:"tier_mode"`
	Tiers          []TierSpec       `json:"tiers"`
	FreeUnits      *decimal.Decimal `json:"free_units"`
	MinimumAmount  *decimal.Decimal `json:"minimum_amount"`
	Filters        meters.Filters   `json:"filters"`
	Cadence        string           `json:"cadence"`
	PriceUnit      string           `json:"price_unit"`
	ConversionRate *decimal.Decimal `json:"conversion_rate"`
}

// PlanSpec is a POST /v1/plans body.
type PlanSpec struct {
	Key         string      `json:"key"`
	Name        string      `json:"name"`
	Description string      `json:"description"`
	Currency    string      `json:"currency"`
	Interval    string      `json:"interval"`
	Prices      []PriceSpec `json:"prices"`
}

// CustomerSpec is a POST /v1/customers body.
type CustomerSpec struct {
	ExternalID string `json:"external_id"`
	Name       string `json:"name"`
	Email      string `json:"email"`
	Currency   string `json:"currency"`
	Timezone   string `json:"timezone"`
}

// SubscriptionSpec is a POST /v1/subscriptions body with the scenario's
// "ref". Without start_at the subscription starts at 00:00 on the first day
// of the previous calendar month, in the customer's time zone; with the
// demo-only period_age_days (an anniversary cycle only) it starts so that
// its current period began at least that many days before now (see
// AnniversaryStart).
type SubscriptionSpec struct {
	Ref           string     `json:"ref"`
	Customer      string     `json:"customer"`
	Plan          string     `json:"plan"`
	StartAt       *time.Time `json:"start_at"`
	BillingCycle  string     `json:"billing_cycle"`
	TrialDays     int        `json:"trial_days"`
	PeriodAgeDays int        `json:"period_age_days"`
}

// CreditGrantSpec is a free POST /v1/customers/{id}/credit_grants body (in
// the customer's currency) for the customer with the external id.
type CreditGrantSpec struct {
	Customer string           `json:"customer"`
	Name     string           `json:"name"`
	Amount   *decimal.Decimal `json:"amount"`
}

// UsageSpec describes one customer's generated traffic: PerDay events a day
// on average (busier in the customer's working hours, quieter at weekends),
// each drawn from Mix by weight.
type UsageSpec struct {
	Customer  string    `json:"customer"`
	EventName string    `json:"event_name"`
	PerDay    float64   `json:"per_day"`
	Mix       []MixSpec `json:"mix"`
}

// MixSpec is one kind of event of a UsageSpec.
type MixSpec struct {
	Weight     int            `json:"weight"`
	Properties map[string]any `json:"properties"`
	Quantity   *QuantitySpec  `json:"quantity"`
}

// QuantitySpec sets Field to a whole number drawn uniformly from [Min, Max].
type QuantitySpec struct {
	Field string `json:"field"`
	Min   int64  `json:"min"`
	Max   int64  `json:"max"`
}

// Load parses the embedded demo data.
func Load() (Data, error) { return Parse(dataJSON) }

// Parse reads demo data of the embedded file's shape and checks what the
// generator relies on (the services check the rest while seeding).
func Parse(b []byte) (Data, error) {
	var d Data
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return Data{}, fmt.Errorf("demo data: %w", err)
	}
	custs := map[string]bool{}
	for _, c := range d.Customers {
		custs[c.ExternalID] = true
	}
	for i, s := range d.Subscriptions {
		if s.PeriodAgeDays < 0 || s.PeriodAgeDays > 25 || (s.PeriodAgeDays > 0 && (s.BillingCycle != "anniversary" || s.StartAt != nil)) {
			return Data{}, fmt.Errorf("demo data: subscriptions[%d]: period_age_days (0-25) needs an anniversary cycle and no start_at", i)
		}
	}
	for i, g := range d.CreditGrants {
		if !custs[g.Customer] {
			return Data{}, fmt.Errorf("demo data: credit_grants[%d]: unknown customer %q", i, g.Customer)
		}
	}
	profiled := map[string]bool{}
	for i, u := range d.Usage {
		if !custs[u.Customer] {
			return Data{}, fmt.Errorf("demo data: usage[%d]: unknown customer %q", i, u.Customer)
		}
		if profiled[u.Customer] { // event ids are "demo-<customer>-<n>"
			return Data{}, fmt.Errorf("demo data: usage[%d]: customer %q has a usage profile already", i, u.Customer)
		}
		profiled[u.Customer] = true
		if u.PerDay < 0 || len(u.Mix) == 0 {
			return Data{}, fmt.Errorf("demo data: usage[%d]: needs per_day >= 0 and a non-empty mix", i)
		}
		for j, m := range u.Mix {
			if m.Weight <= 0 {
				return Data{}, fmt.Errorf("demo data: usage[%d].mix[%d]: weight must be positive", i, j)
			}
			if q := m.Quantity; q != nil && (q.Field == "" || q.Min > q.Max) {
				return Data{}, fmt.Errorf("demo data: usage[%d].mix[%d]: quantity needs a field and min <= max", i, j)
			}
		}
	}
	return d, nil
}
