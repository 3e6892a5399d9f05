package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/tallyhq/tally/advisor"
	"github.com/tallyhq/tally/app"
	"github.com/tallyhq/tally/domain"
)

// planCmd answers pricing questions on the configured database.
func planCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "plans, against the configured database",
		Args:  groupArgs,
		RunE:  groupRun,
	}
	cmd.AddCommand(planBacktestCmd())
	return cmd
}

type backtestFlags struct {
	tenant, against, from, to, csv string
	customers                      []string
}

func planBacktestCmd() *cobra.Command {
	var f backtestFlags
	cmd := &cobra.Command{
		Use:   "backtest PLAN",
		Short: "re-price another plan's subscribers over whole past periods under PLAN (reads only); a table, and CSV with --csv",
		Args:  args(cobra.ExactArgs(1)),
	}
	cmd.Flags().StringVar(&f.tenant, "tenant", "", "the plan's tenant (default the only tenant)")
	cmd.Flags().StringVar(&f.against, "against", "", "the key of the plan whose subscribers are re-priced (required)")
	cmd.Flags().StringVar(&f.from, "from", "", "RFC 3339 instant: whole periods from here (required)")
	cmd.Flags().StringVar(&f.to, "to", "", "RFC 3339 instant: whole periods ending by here (required)")
	cmd.Flags().StringSliceVar(&f.customers, "customer", nil, "only these customers (ids or external ids; repeat or comma-separate)")
	cmd.Flags().StringVar(&f.csv, "csv", "", "also write the rows and totals to this CSV file")
	settings := bindSettings(cmd, databaseSettings...)
	cmd.RunE = func(cmd *cobra.Command, plan []string) error {
		in := advisor.BacktestInput{Against: f.against, Customers: f.customers}
		if f.against == "" || f.from == "" || f.to == "" {
			return usageError{fmt.Errorf("--against, --from and --to are required")}
		}
		var err error
		if in.From, err = domain.ParseTime("--from", f.from); err != nil {
			return usageError{err}
		}
		if in.To, err = domain.ParseTime("--to", f.to); err != nil {
			return usageError{err}
		}
		a, err := openApp(cmd, settings)
		if err != nil {
			return err
		}
		defer a.Close()
		return planBacktest(cmd.Context(), a, f, plan[0], in, cmd.OutOrStdout())
	}
	return cmd
}

var backtestHeader = []string{"customer", "external_id", "subscription", "periods", "had", "would", "difference"}

func planBacktest(ctx context.Context, a *app.App, f backtestFlags, plan string, in advisor.BacktestInput, out io.Writer) error {
	ids, err := tenantsOf(ctx, a, f.tenant)
	if err != nil {
		return err
	}
	if len(ids) != 1 {
		return usageError{fmt.Errorf("the database has %d tenants: name one with --tenant", len(ids))}
	}
	var cw *csv.Writer
	if f.csv != "" {
		file, err := os.Create(f.csv)
		if err != nil {
			return err
		}
		defer file.Close()
		cw = csv.NewWriter(file)
		if err := cw.Write(backtestHeader); err != nil {
			return err
		}
	}
	tw := tabwriter.NewWriter(out, 0, 2, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "CUSTOMER\tEXTERNAL_ID\tSUBSCRIPTION\tPERIODS\tHAD\tWOULD\tDIFFERENCE\t")
	tot, err := a.Services.Advisor.Backtest(ctx, ids[0], plan, in, func(r advisor.BacktestRow) error {
		rec := []string{r.CustomerID, r.CustomerExternalID, r.SubscriptionID, strconv.Itoa(r.Periods), r.Currency.Format(r.Had), r.Currency.Format(r.Would), r.Currency.Format(r.Difference)}
		if cw != nil {
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
		for _, s := range rec {
			fmt.Fprintf(tw, "%s\t", s)
		}
		fmt.Fprintln(tw)
		return nil
	})
	if err != nil {
		return err
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	c := tot.Plan.Currency
	fmt.Fprintf(out, "\n%s against %s, whole periods in [%s, %s): %d subscriptions, %d periods\n", tot.Plan.Key, tot.Against.Key,
		tot.From.UTC().Format(time.RFC3339), tot.To.UTC().Format(time.RFC3339), tot.Subscriptions, tot.Periods)
	fmt.Fprintf(out, "had %s %s, would have %s %s: revenue delta %s %s; %d pay more, %d less, %d the same; change p50 %s, p95 %s\n",
		c.Format(tot.Had), c, c.Format(tot.Would), c, c.Format(tot.RevenueDelta), c, tot.PayMore, tot.PayLess, tot.PaySame, c.Format(tot.P50Change), c.Format(tot.P95Change))
	fmt.Fprintf(out, "cost to serve %s %s (meters' cost_per_unit): margin %s %s had, %s %s would\n", c.Format(tot.Cost), c, c.Format(tot.MarginHad), c, c.Format(tot.MarginWould), c)
	if cw != nil {
		if err := cw.Write([]string{"total", "", "", strconv.Itoa(tot.Periods), c.Format(tot.Had), c.Format(tot.Would), c.Format(tot.RevenueDelta)}); err != nil {
			return err
		}
		cw.Flush()
		return cw.Error()
	}
	return nil
}
