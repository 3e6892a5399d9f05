package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tallyhq/tally/app"
	"github.com/tallyhq/tally/credits"
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/plans"
	"github.com/tallyhq/tally/tenants"
)

// TenantName is the name of the seeded tenant.
const TenantName = "Tally demo"

// Seed creates the demo tenant from the embedded data through the domain
// services, with clock's now (nil = svc.Clock) as the present: the
// subscriptions start on the first of the previous month (or, for an
// anniversary one, so that its current period is some days old), the
// usage runs from each subscription's start up to now, and an invoice run
// drafts every period that has ended, one of which is finalized. svc's
// services must use the same clock.
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
	for _, p := range append(append([]PlanSpec(nil), d.Plans...), d.LocalPlans...) {
		if _, err := svc.Plans.Create(ctx, t.ID, planInput(p)); err != nil {
			return res, fmt.Errorf("demo plan %s: %w", p.Key, err)
		}
		res.Plans = append(res.Plans, p.Key)
	}
	locs, index, err := seedCustomers(ctx, svc, t.ID, d, now, &res)
	if err != nil {
		return res, err
	}
	for _, g := range d.CreditGrants {
		c := res.Customers[index[g.Customer]]
		if _, err := svc.Credits.Create(ctx, t.ID, c.ID, domain.Currency(c.Currency), credits.CreateInput{Name: g.Name, Amount: g.Amount}); err != nil {
			return res, fmt.Errorf("demo credit grant of %s: %w", g.Customer, err)
		}
		res.Grants++
	}
	if err := seedUsage(ctx, svc.Meters, t.ID, d, locs, index, now, &res); err != nil {
		return res, err
	}
	if err := seedInvoices(ctx, svc, locs, now, &res); err != nil {
		return res, err
	}
	return res, nil
}

// seedCustomers creates the customers and their subscriptions, and picks
// the featured customer.
func seedCustomers(ctx context.Context, svc *app.Services, tenantID string, d Data, now time.Time, res *Result) (map[string]*time.Location, map[string]int, error) {
	locs := map[string]*time.Location{}
	index := map[string]int{}
	for _, c := range d.Customers {
		cu, err := svc.Customers.Create(ctx, tenantID, customers.CreateInput{ExternalID: c.ExternalID, Name: c.Name, Email: c.Email,
			Currency: c.Currency, Timezone: c.Timezone})
		if err != nil {
			return nil, nil, fmt.Errorf("demo customer %s: %w", c.ExternalID, err)
		}
		locs[cu.ExternalID] = cu.Location()
		index[cu.ExternalID] = len(res.Customers)
		res.Customers = append(res.Customers, Customer{ID: cu.ID, ExternalID: cu.ExternalID, Name: cu.Name, Timezone: cu.Timezone,
			Currency: string(cu.Currency), Unit: nounEvent})
	}
	aged := ""
	for _, s := range d.Subscriptions {
		i, ok := index[s.Customer]
		if !ok {
			return nil, nil, fmt.Errorf("demo subscription %s: unknown customer %q", s.Ref, s.Customer)
		}
		var start time.Time
		switch {
		case s.StartAt != nil:
			start = s.StartAt.UTC()
		case s.PeriodAgeDays > 0:
			start = AnniversaryStart(now, locs[s.Customer], s.PeriodAgeDays)
		default:
			start = StartOfPreviousMonth(now, locs[s.Customer])
		}
		sub, err := svc.Invoicing.Subscribe(ctx, tenantID, customers.CreateSubscriptionInput{Customer: s.Customer, Plan: s.Plan,
			StartAt: &start, BillingCycle: s.BillingCycle, TrialDays: s.TrialDays})
		if err != nil {
			return nil, nil, fmt.Errorf("demo subscription %s: %w", s.Ref, err)
		}
		c := &res.Customers[i]
		if c.SubscriptionID == "" { // the first one is the customer's featured subscription
			c.Plan, c.BillingCycle, c.SubscriptionID, c.Ref, c.StartAt = sub.PlanKey, string(sub.BillingCycle), sub.ID, s.Ref, sub.StartAt
			if s.PeriodAgeDays > 0 && aged == "" {
				aged = s.Customer
			}
		}
	}
	res.Featured = aged
	for _, u := range d.Usage {
		if res.Featured == "" && res.Customers[index[u.Customer]].SubscriptionID != "" {
			res.Featured = u.Customer
		}
	}
	return locs, index, nil
}

// seedUsage generates and stores each usage profile's events from its
// customer's subscription start (or Window before now without one) up to
// now.
func seedUsage(ctx context.Context, ms *meters.Service, tenantID string, d Data, locs map[string]*time.Location, index map[string]int,
	now time.Time, res *Result) error {
	var dig digest
	for _, u := range d.Usage {
		c := &res.Customers[index[u.Customer]]
		c.Unit = unitOf(d, u)
		from := now.Add(-Window)
		if !c.StartAt.IsZero() {
			from = c.StartAt
		}
		if res.UsageFrom.IsZero() || from.Before(res.UsageFrom) {
			res.UsageFrom = from
		}
		evs, err := GenerateUsage(u, locs[u.Customer], from, now)
		if err != nil {
			return err
		}
		dig.add(evs)
		n, err := ingest(ctx, ms, tenantID, evs)
		res.Events += n
		c.Events += n
		if err != nil {
			return fmt.Errorf("demo usage of %s: %w", u.Customer, err)
		}
	}
	res.Digest = dig.String()
	return nil
}

// unitOf names what one event of the profile counts: the unit of a meter
// counting its events, else "event".
func unitOf(d Data, u UsageSpec) Noun {
	for _, m := range d.Meters {
		if m.EventName == u.EventName && m.Aggregation.Type == string(meters.Count) && m.Unit != "" && len(m.Filters) == 0 {
			return NounFromPlural(m.Unit)
		}
	}
	return nounEvent
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
