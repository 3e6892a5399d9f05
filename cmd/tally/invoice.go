package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/tallyhq/tally/app"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/invoicing"
)

const invoiceUsage = `usage:
  tally invoice run [--as-of RFC3339] [--tenant ID]   draft every missing invoice up to as-of (default now)
  tally invoice list [--tenant ID] [--status S] [--subscription ID] [--limit N]
  tally invoice show ID
They work on the database of TALLY_DATABASE_URL.`

// invoiceCmd is the operator's view of invoices.
func invoiceCmd(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%s", invoiceUsage)
	}
	cfg, err := app.FromEnv()
	if err != nil {
		return err
	}
	cfg.Scheduler = false
	if os.Getenv("TALLY_LOG_LEVEL") == "" {
		cfg.LogLevel = "warn"
	}
	a, err := app.Open(ctx, cfg, nil, nil)
	if err != nil {
		return err
	}
	defer a.Close()
	switch args[0] {
	case "run":
		return invoiceRun(ctx, a, args[1:], out)
	case "list":
		return invoiceList(ctx, a, args[1:], out)
	case "show":
		if len(args) != 2 {
			return fmt.Errorf("%s", invoiceUsage)
		}
		inv, err := a.Services.Invoicing.Lookup(ctx, args[1])
		if err != nil {
			return err
		}
		printInvoice(out, inv)
		return nil
	}
	return fmt.Errorf("unknown invoice command %q\n%s", args[0], invoiceUsage)
}

func tenantsOf(ctx context.Context, a *app.App, tenant string) ([]string, error) {
	if tenant != "" {
		if _, err := a.Services.Tenants.GetTenant(ctx, tenant); err != nil {
			return nil, err
		}
		return []string{tenant}, nil
	}
	return a.Services.Tenants.AllIDs(ctx)
}

func invoiceRun(ctx context.Context, a *app.App, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("invoice run", flag.ContinueOnError)
	asOfText := fs.String("as-of", "", "RFC 3339 instant (default now)")
	tenant := fs.String("tenant", "", "only this tenant (default every tenant)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	asOf := time.Now().UTC()
	if *asOfText != "" {
		t, err := domain.ParseTime("--as-of", *asOfText)
		if err != nil {
			return err
		}
		asOf = t
	}
	ids, err := tenantsOf(ctx, a, *tenant)
	if err != nil {
		return err
	}
	tty := false
	if f, ok := out.(*os.File); ok {
		tty = isatty.IsTerminal(f.Fd())
	}
	var total invoicing.Run
	for _, id := range ids {
		run, err := a.Services.Invoicing.StartRun(ctx, id, &asOf, false)
		if err != nil {
			return err
		}
		for run.Status == invoicing.RunRunning {
			if tty {
				fmt.Fprintf(out, "\r%s", progressBar(id, run.Processed, run.Subscriptions))
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(150 * time.Millisecond):
			}
			if run, err = a.Services.Invoicing.GetRun(ctx, id, run.ID); err != nil {
				return err
			}
		}
		if tty {
			fmt.Fprintf(out, "\r%s\n", progressBar(id, run.Processed, run.Subscriptions))
		}
		total.Subscriptions += run.Subscriptions
		total.InvoicesCreated += run.InvoicesCreated
		total.InvoicesExisting += run.InvoicesExisting
		for _, f := range run.Failed {
			fmt.Fprintf(out, "failed: tenant %s subscription %s: %s\n", id, f.SubscriptionID, f.Error)
			total.Failed = append(total.Failed, f)
		}
	}
	fmt.Fprintf(out, "invoice run as of %s: %d tenants, %d subscriptions, %d invoices created, %d already existed, %d failed\n",
		asOf.Format(time.RFC3339), len(ids), total.Subscriptions, total.InvoicesCreated, total.InvoicesExisting, len(total.Failed))
	if len(total.Failed) > 0 {
		return fmt.Errorf("%d subscriptions failed; the next run retries them", len(total.Failed))
	}
	return nil
}

// progressBar draws "[#####.....] 12/40 ten_…".
func progressBar(tenant string, done, total int) string {
	const width = 30
	filled := 0
	if total > 0 {
		filled = done * width / total
	}
	return fmt.Sprintf("[%s%s] %d/%d subscriptions  %s", strings.Repeat("#", filled), strings.Repeat(".", width-filled), done, total, tenant)
}

func invoiceList(ctx context.Context, a *app.App, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("invoice list", flag.ContinueOnError)
	tenant := fs.String("tenant", "", "only this tenant")
	status := fs.String("status", "", "draft, finalized, paid, void or uncollectible")
	sub := fs.String("subscription", "", "only this subscription")
	limit := fs.Int("limit", 100, "at most this many per tenant")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ids, err := tenantsOf(ctx, a, *tenant)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNUMBER\tSTATUS\tREASON\tSUBSCRIPTION\tPERIOD\tTOTAL")
	for _, id := range ids {
		l, err := a.Services.Invoicing.List(ctx, id, invoicing.Query{Status: invoicing.Status(*status), SubscriptionID: *sub}, domain.Page{Limit: min(*limit, domain.MaxPageLimit)})
		if err != nil {
			return err
		}
		for _, inv := range l.Data {
			num := "-"
			if inv.Number != nil {
				num = *inv.Number
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s → %s\t%s %s\n", inv.ID, num, inv.Status, inv.BillingReason, inv.SubscriptionID,
				inv.Period.Start.Format("2006-01-02"), inv.Period.End.Format("2006-01-02"), inv.Currency.Format(inv.Total), inv.Currency)
		}
	}
	return tw.Flush()
}

func printInvoice(out io.Writer, inv invoicing.Invoice) {
	num := "(none until finalized)"
	if inv.Number != nil {
		num = *inv.Number
	}
	fmt.Fprintf(out, "invoice %s  number %s  %s  %s\n", inv.ID, num, inv.Status, inv.BillingReason)
	fmt.Fprintf(out, "subscription %s  customer %s\n", inv.SubscriptionID, inv.CustomerID)
	fmt.Fprintf(out, "period [%s, %s)\n\n", inv.Period.Start.Format(time.RFC3339), inv.Period.End.Format(time.RFC3339))
	tw := tabwriter.NewWriter(out, 0, 2, 2, ' ', tabwriter.AlignRight)
	for _, l := range inv.Lines {
		fmt.Fprintf(tw, "%s\t%s\t%s\t\n", l.PriceKey, l.Description, inv.Currency.Format(l.Amount))
	}
	fmt.Fprintf(tw, "\tsubtotal\t%s\t\n", inv.Currency.Format(inv.Subtotal))
	fmt.Fprintf(tw, "\tcredits applied\t%s\t\n", inv.Currency.Format(inv.CreditsApplied))
	fmt.Fprintf(tw, "\ttotal %s\t%s\t\n", inv.Currency, inv.Currency.Format(inv.Total))
	_ = tw.Flush()
}
