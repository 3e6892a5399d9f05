package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/store"
)

// eventsCmd groups the operator's commands on stored events.
func eventsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "events",
		Short: "stored usage events, against the configured database",
		Args:  groupArgs,
		RunE:  groupRun,
	}
	cmd.AddCommand(eventsArchiveCmd())
	return cmd
}

func eventsArchiveCmd() *cobra.Command {
	var beforeText string
	var drop bool
	cmd := &cobra.Command{
		Use:   "archive",
		Short: "detach the monthly event partitions before --before (Postgres); rollups and invoices stay",
		Long: `Detaches from the events table every monthly partition ending at or
before --before (the first of a month, YYYY-MM-01, UTC): each stays a plain
table of the same name, events_pYYYYMM, to dump (pg_dump -t) and drop, or
is dropped with --drop. Rollups, invoices and event ids stay; ingestion
then rejects an event dated before --before (400 on its timestamp), and
quantities of those months come from the rollups alone. Refused while a
draft invoice has a period starting before --before, and on SQLite.`,
		Args: args(cobra.NoArgs),
	}
	cmd.Flags().StringVar(&beforeText, "before", "", "first day of the first month to keep, YYYY-MM-01 (required)")
	cmd.Flags().BoolVar(&drop, "drop", false, "drop the detached partitions instead of keeping them as tables")
	settings := bindSettings(cmd, databaseSettings...)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		before, err := time.Parse("2006-01-02", beforeText)
		if err != nil || before.Day() != 1 {
			return usageErrorf("--before: %q is not the first day of a month (YYYY-MM-01)", beforeText)
		}
		a, err := openApp(cmd, settings)
		if err != nil {
			return err
		}
		defer a.Close()
		ctx := cmd.Context()
		if now := time.Now().UTC(); before.After(time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)) {
			return fmt.Errorf("--before %s lies after the start of the current month", beforeText)
		}
		if a.DB.Dialect != store.Postgres {
			return meters.ErrArchiveUnsupported
		}
		drafts, err := a.Services.Invoicing.DraftsStartingBefore(ctx, before)
		if err != nil {
			return err
		}
		if drafts > 0 {
			return fmt.Errorf("%d draft invoice(s) have periods starting before %s: finalize them first (their events may still be recomputed)", drafts, beforeText)
		}
		res, err := meters.ArchiveEventsBefore(ctx, a.DB, before, drop)
		if err != nil {
			return err
		}
		out := cmd.OutOrStdout()
		if len(res.Detached) == 0 {
			fmt.Fprintf(out, "nothing to archive before %s\n", beforeText)
		}
		for _, name := range res.Detached {
			if res.Dropped {
				fmt.Fprintf(out, "dropped %s\n", name)
			} else {
				fmt.Fprintf(out, "detached %s (now a plain table: pg_dump -t %s, then DROP TABLE %s)\n", name, name, name)
			}
		}
		fmt.Fprintf(out, "events before %s are archived: ingestion rejects them from now on\n", beforeText)
		return nil
	}
	return cmd
}
