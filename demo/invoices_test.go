package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/tallyhq/tally/app"
	"github.com/tallyhq/tally/demo"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/invoicing"
	"github.com/tallyhq/tally/store"
)

// TestSeedAtAnyMomentOfTheMonth seeds at the awkward instants of a month:
// there are always last month's invoices, one finalized, and a proposed
// invoice with usage on it.
func TestSeedAtAnyMomentOfTheMonth(t *testing.T) {
	for _, tc := range []struct {
		name string
		now  time.Time
	}{
		{"at 00:00 UTC on the 1st of a month", time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)},
		{"at 00:00 in Tokyo on the 1st, after a short February", time.Date(2026, 2, 28, 15, 0, 0, 0, time.UTC)},
		{"a minute before midnight on the 31st", time.Date(2026, 3, 31, 23, 59, 0, 0, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, res := seed(t, store.SQLite, tc.now)
			checkInvoices(t, a, res)
			checkProposed(t, a, res)
			checkCustomersSpanZonesAndCurrencies(t, res)
		})
	}
}

// checkInvoices: every subscription has the cycle invoice of the period it
// started with (the previous one: last month for calendar billing), all
// drafts but the featured customer's, finalized as INV-000001.
func checkInvoices(t *testing.T, a *app.App, res demo.Result) {
	t.Helper()
	ctx := context.Background()
	for _, c := range res.Customers {
		var cycle []demo.Invoice
		for _, inv := range res.Invoices {
			if inv.Customer == c.ExternalID && inv.Reason == invoicing.Cycle {
				cycle = append(cycle, inv)
			}
		}
		if len(cycle) != 1 || !cycle[0].Period.Start.Equal(c.StartAt) || cycle[0].Period.End.After(res.Now) {
			t.Errorf("%s (from %s) has cycle invoices %+v, want the one of its ended first period", c.ExternalID, c.StartAt, cycle)
		}
	}
	finalized := 0
	for _, inv := range res.Invoices {
		stored, err := a.Services.Invoicing.Get(ctx, res.TenantID, inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.Status != inv.Status {
			t.Errorf("%s is %s, the result says %s", inv.ID, stored.Status, inv.Status)
		}
		switch inv.Status {
		case invoicing.Finalized:
			finalized++
			if inv.ID != res.Finalized || inv.Number != "INV-000001" || inv.Customer != res.Featured || !inv.Total.IsPositive() {
				t.Errorf("finalized %+v, want %s numbered INV-000001 for %s with a total", inv, res.Finalized, res.Featured)
			}
		case invoicing.Draft:
			if inv.Number != "" {
				t.Errorf("the draft %s has number %s", inv.ID, inv.Number)
			}
		default:
			t.Errorf("%s is %s", inv.ID, inv.Status)
		}
	}
	if finalized != 1 || res.Drafts() != len(res.Invoices)-1 || res.Drafts() < len(res.Customers) {
		t.Errorf("%d invoices, %d finalized, %d drafts; want a draft of each customer's last period but one finalized",
			len(res.Invoices), finalized, res.Drafts())
	}
}

// checkProposed: the featured subscription's live invoice has usage, as its
// current period began at least 15 days ago.
func checkProposed(t *testing.T, a *app.App, res demo.Result) {
	t.Helper()
	c, ok := res.Customer(res.Featured)
	if !ok {
		t.Fatalf("no featured customer %q", res.Featured)
	}
	inv, err := a.Services.Invoicing.Proposed(context.Background(), res.TenantID, c.SubscriptionID, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if !inv.Total.IsPositive() || len(inv.Lines) == 0 || !inv.Lines[0].Quantity.IsPositive() {
		t.Errorf("the proposed invoice of %s at %s is empty: total %s, lines %+v", c.ExternalID, res.Now, inv.Total, inv.Lines)
	}
	if age := res.Now.Sub(inv.Period.Start); age < 15*24*time.Hour {
		t.Errorf("the proposed invoice's period %s began only %s before %s", inv.Period, age, res.Now)
	}
}

func checkCustomersSpanZonesAndCurrencies(t *testing.T, res demo.Result) {
	t.Helper()
	zones, currencies := map[string]bool{}, map[string]bool{}
	for _, c := range res.Customers {
		zones[c.Timezone], currencies[c.Currency] = true, true
	}
	for _, z := range []string{"UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo"} {
		if !zones[z] {
			t.Errorf("no customer in %s (zones %v)", z, zones)
		}
	}
	for _, cur := range []domain.Currency{"USD", "EUR", "JPY"} {
		if !currencies[string(cur)] {
			t.Errorf("no customer paying in %s (currencies %v)", cur, currencies)
		}
	}
}

func TestAnniversaryStartKeepsTheCurrentPeriodOld(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	for _, tc := range []struct {
		name string
		now  time.Time
		loc  *time.Location
		want time.Time
	}{
		{"in mid-March the current period began on March 2", time.Date(2026, 3, 17, 15, 0, 0, 0, time.UTC), time.UTC,
			time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC)},
		{"on April 1 it began on March 17", time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), time.UTC,
			time.Date(2026, 2, 17, 0, 0, 0, 0, time.UTC)},
		{"a day past the 28th falls back to the 28th, which every month has", time.Date(2026, 4, 14, 12, 0, 0, 0, time.UTC), time.UTC,
			time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC)},
		{"the day is the customer's: 00:00 in Berlin", time.Date(2026, 3, 31, 23, 30, 0, 0, time.UTC), berlin,
			time.Date(2026, 2, 16, 23, 0, 0, 0, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := demo.AnniversaryStart(tc.now, tc.loc, 15); !got.Equal(tc.want) {
				t.Errorf("AnniversaryStart(%s, %s, 15) = %s, want %s", tc.now, tc.loc, got, tc.want)
			}
		})
	}
}
