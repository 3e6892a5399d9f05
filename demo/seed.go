package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tallyhq/tally/app"
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/plans"
	"github.com/tallyhq/tally/tenants"
)

// TenantName is the name of the seeded tenant.
const TenantName = "Tally demo"

// Result is what Seed created. The keys are the only copies of their
// secrets.
type Result struct {
	TenantID  string
	AdminKey  string
	IngestKey string
	Meters    []string // keys
	Plans     []string // keys
	Customers []Customer
	// Events is how many events were stored, UsageFrom the earliest start of
	// their window and Now the instant seeding used as now.
	Events    int
	UsageFrom time.Time
	Now       time.Time
	// Digest fingerprints the generated events (ids, timestamps and
	// properties): equal for the same data and the same now.
	Digest string
}

// Customer is one seeded customer with its subscription.
type Customer struct {
	ID             string
	ExternalID     string
	Name           string
	Timezone       string
	Plan           string // plan key, "" without a subscription
	SubscriptionID string
	Ref            string // the subscription's ref in the data
	StartAt        time.Time
	Events         int
}

// Customer returns the seeded customer with the external id, if any.
func (r Result) Customer(externalID string) (Customer, bool) {
	for _, c := range r.Customers {
		if c.ExternalID == externalID {
			return c, true
		}
	}
	return Customer{}, false
}

// Seed creates the demo tenant from the embedded data through the domain
// services, with clock's now (nil = svc.Clock) as the present: the
// subscriptions start on the first of the previous month and the usage runs
// up to now. svc's services must use the same clock.
func Seed(ctx context.Context, svc *app.Services, clock domain.Clock) (Result, error) {
	d, err := Load()
	if err != nil {
		return Result{}, err
	}
	return SeedData(ctx, svc, clock, d)
}

// SeedData is Seed with other data.
func SeedData(ctx context.Context, svc *app.Services, clock domain.Clock, d Data) (Result, error) {
	if clock == nil {
		clock = svc.Clock
	}
	now := clock.Now(ctx).UTC()
	res := Result{Now: now}

	t, admin, err := svc.Tenants.CreateTenant(ctx, tenants.CreateTenantInput{Name: TenantName})
	if err != nil {
		return res, fmt.Errorf("demo tenant: %w", err)
	}
	res.TenantID, res.AdminKey = t.ID, admin
	_, ingestKey, err := svc.Tenants.CreateKey(ctx, t.ID, tenants.CreateKeyInput{Kind: tenants.KindIngest, Name: "demo ingest key"})
	if err != nil {
		return res, fmt.Errorf("demo ingest key: %w", err)
	}
	res.IngestKey = ingestKey

	for _, m := range d.Meters {
		_, err := svc.Meters.Create(ctx, t.ID, meters.CreateInput{Key: m.Key, Name: m.Name, EventName: m.EventName,
			Aggregation: meters.Aggregation{Type: meters.AggregationType(m.Aggregation.Type), Field: m.Aggregation.Field},
			Filters:     m.Filters, Unit: m.Unit})
		if err != nil {
			return res, fmt.Errorf("demo meter %s: %w", m.Key, err)
		}
		res.Meters = append(res.Meters, m.Key)
	}
	for _, p := range d.Plans {
		if _, err := svc.Plans.Create(ctx, t.ID, planInput(p)); err != nil {
			return res, fmt.Errorf("demo plan %s: %w", p.Key, err)
		}
		res.Plans = append(res.Plans, p.Key)
	}
	locs := map[string]*time.Location{}
	index := map[string]int{}
	for _, c := range d.Customers {
		cu, err := svc.Customers.Create(ctx, t.ID, customers.CreateInput{ExternalID: c.ExternalID, Name: c.Name, Email: c.Email,
			Currency: c.Currency, Timezone: c.Timezone})
		if err != nil {
			return res, fmt.Errorf("demo customer %s: %w", c.ExternalID, err)
		}
		locs[cu.ExternalID] = cu.Location()
		index[cu.ExternalID] = len(res.Customers)
		res.Customers = append(res.Customers, Customer{ID: cu.ID, ExternalID: cu.ExternalID, Name: cu.Name, Timezone: cu.Timezone})
	}
	for _, s := range d.Subscriptions {
		i, ok := index[s.Customer]
		if !ok {
			return res, fmt.Errorf("demo subscription %s: unknown customer %q", s.Ref, s.Customer)
		}
		start := StartOfPreviousMonth(now, locs[s.Customer])
		if s.StartAt != nil {
			start = s.StartAt.UTC()
		}
		sub, err := svc.Customers.CreateSubscription(ctx, t.ID, customers.CreateSubscriptionInput{Customer: s.Customer, Plan: s.Plan,
			StartAt: &start, BillingCycle: s.BillingCycle, TrialDays: s.TrialDays})
		if err != nil {
			return res, fmt.Errorf("demo subscription %s: %w", s.Ref, err)
		}
		c := &res.Customers[i]
		if c.SubscriptionID == "" { // the first one is the customer's featured subscription
			c.Plan, c.SubscriptionID, c.Ref, c.StartAt = sub.PlanKey, sub.ID, s.Ref, sub.StartAt
		}
	}

	var dig digest
	for _, u := range d.Usage {
		c := &res.Customers[index[u.Customer]]
		from := now.Add(-Window)
		if !c.StartAt.IsZero() && c.StartAt.After(from) {
			from = c.StartAt
		}
		if res.UsageFrom.IsZero() || from.Before(res.UsageFrom) {
			res.UsageFrom = from
		}
		evs, err := GenerateUsage(u, locs[u.Customer], from, now)
		if err != nil {
			return res, err
		}
		dig.add(evs)
		n, err := ingest(ctx, svc.Meters, t.ID, evs)
		res.Events += n
		c.Events += n
		if err != nil {
			return res, fmt.Errorf("demo usage of %s: %w", u.Customer, err)
		}
	}
	res.Digest = dig.String()
	return res, nil
}

// ingest stores events in batches of meters.MaxBatch; any rejected or
// duplicate event is an error (the data or the generator is wrong).
func ingest(ctx context.Context, ms *meters.Service, tenantID string, evs []meters.EventInput) (int, error) {
	stored := 0
	for start := 0; start < len(evs); start += meters.MaxBatch {
		batch := evs[start:min(start+meters.MaxBatch, len(evs))]
		r, err := ms.Ingest(ctx, tenantID, batch)
		stored += r.Accepted
		if err != nil {
			return stored, err
		}
		if len(r.Rejected) > 0 {
			rej := r.Rejected[0]
			return stored, fmt.Errorf("%d events rejected, the first (%s): %w", len(r.Rejected), batch[rej.Index].ID, rej.Err)
		}
		if r.Duplicates > 0 {
			return stored, errors.New("generated events with duplicate ids")
		}
	}
	return stored, nil
}

// StartOfPreviousMonth is 00:00 on the first day of the calendar month
// before the one holding now, in loc (nil = UTC), as a UTC instant.
func StartOfPreviousMonth(now time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	l := now.In(loc)
	return time.Date(l.Year(), l.Month()-1, 1, 0, 0, 0, 0, loc).UTC()
}

func planInput(p PlanSpec) plans.CreateInput {
	in := plans.CreateInput{Key: p.Key, Name: p.Name, Description: p.Description, Currency: p.Currency, Interval: p.Interval}
	for _, pr := range p.Prices {
		pi := plans.PriceInput{Key: pr.Key, Type: pr.Type, Model: pr.Model, Meter: pr.Meter, Amount: pr.Amount, PackageSize: pr.PackageSize,
			Rounding: pr.Rounding, TierMode: pr.TierMode, FreeUnits: pr.FreeUnits, MinimumAmount: pr.MinimumAmount, Filters: pr.Filters,
			Cadence: pr.Cadence, PriceUnit: pr.PriceUnit, ConversionRate: pr.ConversionRate}
		for _, t := range pr.Tiers {
			pi.Tiers = append(pi.Tiers, plans.TierInput{UpTo: t.UpTo, UnitAmount: t.UnitAmount, FlatAmount: t.FlatAmount})
		}
		in.Prices = append(in.Prices, pi)
	}
	return in
}
