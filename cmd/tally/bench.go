package main

import (
	"errors"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	benchpkg "github.com/tallyhq/tally/bench"
)

// benchCmd groups the benchmarks of issue 13: each creates its own tenant
// and data on --db, starts a server on a free loopback port (or targets
// --url) and prints its figures beside their targets.
func benchCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "benchmarks against a real server on --db: ingest, preview, balance, run, all",
		Args:  groupArgs,
		RunE:  groupRun,
	}
	shorts := map[string]string{
		"ingest":  "HTTP batch ingest from N clients, beside COPY baselines of the same rows (Postgres)",
		"preview": "proposed invoice p50/p99 after loading each of --sizes events, side by side",
		"balance": "credit balance p99 at --rate requests/s while ingesting at half the peak",
		"run":     "invoice runs of each of --sizes subscriptions: invoices/s and peak heap",
	}
	for _, name := range benchpkg.Benches {
		cmd.AddCommand(benchRunCmd(name, shorts[name], []string{name}))
	}
	cmd.AddCommand(benchRunCmd("all", "every bench, one after the other", benchpkg.Benches))
	return cmd
}

func benchRunCmd(name, short string, benches []string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   name,
		Short: short,
		Long: short + `.

Creates a tenant and its data of its own on --db (SQLite path or Postgres
URL; required, so that no bench writes into ./tally.db by accident), starts
Tally on a free loopback port (app.Open and Serve: what 'tally serve' runs)
unless --url names a running server on that database, and prints each figure
with its target. --short finishes in seconds and judges no target (CI);
--json prints the reports as JSON. A failed exactness check (events stored
!= sent, a duplicate counted, an invoice missing) exits with status 1.`,
		Args: args(cobra.NoArgs),
	}
	settings := bindSettings(cmd, "TALLY_DATABASE_URL", "TALLY_ROOT_KEY")
	var o benchpkg.Options
	var sizes string
	var asJSON, quiet bool
	f := cmd.Flags()
	f.StringVar(&o.URL, "url", "", "a running server on --db to target (needs --root-key); default: start one here")
	f.BoolVar(&o.Short, "short", false, "small sizes, seconds in all, no thresholds")
	f.BoolVar(&asJSON, "json", false, "print the reports as JSON")
	f.BoolVar(&quiet, "quiet", false, "no progress lines on stderr")
	f.IntVar(&o.Clients, "clients", 0, "concurrent HTTP clients (default 4; 2 with --short)")
	f.IntVar(&o.Customers, "customers", 0, "customers sharing the events (ingest, preview; default 1)")
	f.IntVar(&o.Events, "events", 0, "events to send (ingest: default 1000000; balance: the customer's events before the load, default 100000)")
	f.StringVar(&sizes, "sizes", "", "comma-separated sizes measured side by side: events (preview, default 1000000,10000000) or subscriptions (run, default 10000,100000)")
	f.IntVar(&o.Requests, "requests", 0, "previews timed at each size (default 300)")
	f.IntVar(&o.Rate, "rate", 0, "balance requests per second (default 200)")
	f.DurationVar(&o.Duration, "duration", 0, "how long the balance load runs (default 20s)")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if !settings.given("TALLY_DATABASE_URL") {
			return usageError{errors.New("bench needs --db (sqlite://PATH or postgres://…): it writes a tenant of its own there")}
		}
		cfg, err := settings.load()
		if err != nil {
			return err
		}
		o.DatabaseURL, o.RootKey = cfg.DatabaseURL, cfg.RootKey
		if sizes != "" {
			for _, s := range strings.Split(sizes, ",") {
				n, err := strconv.Atoi(strings.TrimSpace(s))
				if err != nil || n <= 0 {
					return usageErrorf("--sizes: %q is not a positive count", s)
				}
				o.Sizes = append(o.Sizes, n)
			}
		}
		if !quiet {
			o.Log = cmd.ErrOrStderr()
		}
		var reports []benchpkg.Report
		var failed error
		for _, b := range benches {
			opts := o
			if b != "preview" && b != "run" {
				opts.Sizes = nil
			}
			r, err := benchpkg.Run(cmd.Context(), b, opts)
			if r.Bench == "" { // nothing measured: setup failed
				return err
			}
			reports = append(reports, r)
			if err != nil {
				failed = err
				break
			}
		}
		out := cmd.OutOrStdout()
		if asJSON {
			err = benchpkg.WriteJSON(out, reports)
		} else {
			err = benchpkg.WriteTable(out, reports)
		}
		if err != nil {
			return err
		}
		return failed // printed after the figures, exit status 1
	}
	return cmd
}
