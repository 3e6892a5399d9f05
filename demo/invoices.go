package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/tallyhq/tally/app"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/invoicing"
)

// seedInvoices runs an invoice run as of now, which drafts every period
// that has ended (last month's, for the calendar subscriptions), then
// finalizes the featured customer's latest cycle invoice, so that the
// tenant has drafts and one numbered invoice (INV-000001).
func seedInvoices(ctx context.Context, svc *app.Services, locs map[string]*time.Location, now time.Time, res *Result) error {
	run, err := svc.Invoicing.StartRun(ctx, res.TenantID, &now, true)
	if err != nil {
		return fmt.Errorf("demo invoice run: %w", err)
	}
	if run.Status != invoicing.RunCompleted {
		return fmt.Errorf("demo invoice run %s: %s, failures %v", run.ID, run.Status, run.Failed)
	}
	list, err := svc.Invoicing.List(ctx, res.TenantID, invoicing.Query{}, domain.Page{Limit: domain.MaxPageLimit})
	if err != nil {
		return fmt.Errorf("demo invoices: %w", err)
	}
	external := map[string]string{}
	for _, c := range res.Customers {
		external[c.ID] = c.ExternalID
	}
	featured, _ := res.Customer(res.Featured)
	for _, inv := range list.Data {
		if inv.SubscriptionID == featured.SubscriptionID && inv.BillingReason == invoicing.Cycle && inv.Status == invoicing.Draft {
			res.Finalized = inv.ID // the list is oldest first: the latest wins
		}
	}
	if res.Finalized == "" {
		return fmt.Errorf("demo invoices: the invoice run drafted no cycle invoice for %s", res.Featured)
	}
	if _, err := svc.Invoicing.Finalize(ctx, res.TenantID, res.Finalized); err != nil {
		return fmt.Errorf("demo invoice %s: finalize: %w", res.Finalized, err)
	}
	for _, inv := range list.Data {
		if inv.ID == res.Finalized {
			if inv, err = svc.Invoicing.Get(ctx, res.TenantID, inv.ID); err != nil {
				return fmt.Errorf("demo invoice %s: %w", res.Finalized, err)
			}
		}
		ext := external[inv.CustomerID]
		out := Invoice{ID: inv.ID, Status: inv.Status, Reason: inv.BillingReason, Customer: ext, Location: locs[ext], Period: inv.Period,
			Currency: inv.Currency, Total: inv.Total}
		if inv.Number != nil {
			out.Number = *inv.Number
		}
		res.Invoices = append(res.Invoices, out)
	}
	return nil
}
