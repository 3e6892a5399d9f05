package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"
	"github.com/tallyhq/tally/app"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/invoicing"
)

// invoiceCmd is the operator's view of invoices, on the configured
// database.
func invoiceCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "invoice",
		Short: "invoices, against the configured database",
		Args:  groupArgs,
		RunE:  groupRun,
	}
	cmd.AddCommand(invoiceRunCmd(), invoiceListCmd(), invoiceShowCmd())
	return cmd
}

// openApp opens the configured database for an invoice command: no
// scheduler, and warnings only unless a log level was given.
func openApp(cmd *cobra.Command, settings *settingFlags) (*app.App, error) {
	cfg, err := settings.load()
	if err != nil {
		return nil, err
	}
	cfg.Scheduler = false
	if !settings.given("TALLY_LOG_LEVEL") {
		cfg.LogLevel = "warn"
	}
	return app.Open(cmd.Context(), cfg, nil, nil)
}

// databaseSettings are the settings of the commands that work on the
// database directly.
var databaseSettings = []string{"TALLY_DATABASE_URL", "TALLY_LOG_LEVEL"}

func invoiceRunCmd() *cobra.Command {
	var asOfText, tenant string
	cmd := &cobra.Command{
		Use:   "run",
		Short: "draft every missing invoice up to --as-of (default now)",
		Args:  args(cobra.NoArgs),
	}
	cmd.Flags().StringVar(&asOfText, "as-of", "", "RFC 3339 instant (default now)")
	cmd.Flags().StringVar(&tenant, "tenant", "", "only this tenant (default every tenant)")
	settings := bindSettings(cmd, databaseSettings...)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		asOf := time.Now().UTC()
		if asOfText != "" {
			t, err := domain.ParseTime("--as-of", asOfText)
			if err != nil {
				return usageError{err}
			}
			asOf = t
		}
		a, err := openApp(cmd, settings)
		if err != nil {
			return err
		}
		defer a.Close()
		return invoiceRun(cmd.Context(), a, asOf, tenant, cmd.OutOrStdout())
	}
	return cmd
}

func invoiceListCmd() *cobra.Command {
	var tenant, status, sub string
	var limit int
	cmd := &cobra.Command{
		Use:   "list",
		Short: "list invoices, periods in each customer's time zone",
		Args:  args(cobra.NoArgs),
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "only this tenant")
	cmd.Flags().StringVar(&status, "status", "", "draft, finalized, paid, void or uncollectible")
	cmd.Flags().StringVar(&sub, "subscription", "", "only this subscription")
	cmd.Flags().IntVar(&limit, "limit", 100, "at most this many per tenant")
	settings := bindSettings(cmd, databaseSettings...)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		a, err := openApp(cmd, settings)
		if err != nil {
			return err
		}
		defer a.Close()
		return invoiceList(cmd.Context(), a, tenant, invoicing.Query{Status: invoicing.Status(status), SubscriptionID: sub}, limit, cmd.OutOrStdout())
	}
	return cmd
}

func invoiceShowCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "one invoice with its lines",
		Args:  args(cobra.ExactArgs(1)),
	}
	settings := bindSettings(cmd, databaseSettings...)
	cmd.RunE = func(cmd *cobra.Command, ids []string) error {
		a, err := openApp(cmd, settings)
		if err != nil {
			return err
		}
		defer a.Close()
		inv, err := a.Services.Invoicing.Lookup(cmd.Context(), ids[0])
		if err != nil {
			return err
		}
		printInvoice(cmd.OutOrStdout(), inv, periodZone(cmd.Context(), a, inv))
		return nil
	}
	return cmd
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

func invoiceRun(ctx context.Context, a *app.App, asOf time.Time, tenant string, out io.Writer) error {
	ids, err := tenantsOf(ctx, a, tenant)
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

func invoiceList(ctx context.Context, a *app.App, tenant string, q invoicing.Query, limit int, out io.Writer) error {
	ids, err := tenantsOf(ctx, a, tenant)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNUMBER\tSTATUS\tREASON\tSUBSCRIPTION\tPERIOD\tTOTAL")
	for _, id := range ids {
		l, err := a.Services.Invoicing.List(ctx, id, q, domain.Page{Limit: min(limit, domain.MaxPageLimit)})
		if err != nil {
			return err
		}
		for _, inv := range l.Data {
			num := "-"
			if inv.Number != nil {
				num = *inv.Number
			}
			loc := periodZone(ctx, a, inv)
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s → %s\t%s %s\n", inv.ID, num, inv.Status, inv.BillingReason, inv.SubscriptionID,
				inv.Period.Start.In(loc).Format("2006-01-02"), inv.Period.End.In(loc).Format("2006-01-02"), inv.Currency.Format(inv.Total), inv.Currency)
		}
	}
	return tw.Flush()
}

func printInvoice(out io.Writer, inv invoicing.Invoice, loc *time.Location) {
	num := "(none until finalized)"
	if inv.Number != nil {
		num = *inv.Number
	}
	fmt.Fprintf(out, "invoice %s  number %s  %s  %s\n", inv.ID, num, inv.Status, inv.BillingReason)
	fmt.Fprintf(out, "subscription %s  customer %s\n", inv.SubscriptionID, inv.CustomerID)
	fmt.Fprintf(out, "period [%s, %s) %s\n\n", inv.Period.Start.In(loc).Format(time.RFC3339), inv.Period.End.In(loc).Format(time.RFC3339), loc)
	tw := tabwriter.NewWriter(out, 0, 2, 2, ' ', tabwriter.AlignRight)
	for _, l := range inv.Lines {
		fmt.Fprintf(tw, "%s\t%s\t%s\t\n", l.PriceKey, l.Description, inv.Currency.Format(l.Amount))
	}
	fmt.Fprintf(tw, "\tsubtotal\t%s\t\n", inv.Currency.Format(inv.Subtotal))
	fmt.Fprintf(tw, "\tcredits applied\t%s\t\n", inv.Currency.Format(inv.CreditsApplied))
	fmt.Fprintf(tw, "\ttotal %s\t%s\t\n", inv.Currency, inv.Currency.Format(inv.Total))
	_ = tw.Flush()
}
