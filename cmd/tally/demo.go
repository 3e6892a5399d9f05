package main

import (
	"errors"

	"github.com/spf13/cobra"
	demopkg "github.com/tallyhq/tally/demo"
)

func demoCmd() *cobra.Command {
	var db string
	var reset bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "the quick start: the API on a fresh embedded database holding a demo tenant",
		Long: `Runs the API on a fresh embedded SQLite database holding a demo tenant:
the plans of the shared billing scenarios, customers subscribed since the
start of last month and about 30 days of their usage. Prints the keys and
requests to try, then serves until Ctrl-C.`,
		Args: args(cobra.NoArgs),
	}
	settings := bindSettings(cmd, "TALLY_ADDR", "TALLY_LOG_LEVEL")
	cmd.Flags().StringVar(&db, "db", "", "SQLite file to create (default: a new file in a temporary folder, deleted on exit)")
	cmd.Flags().BoolVar(&reset, "reset", false, "replace the --db file if it exists")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if reset && db == "" {
			return usageError{errors.New("--reset needs --db PATH")}
		}
		cfg, err := settings.load()
		if err != nil {
			return err
		}
		if !settings.given("TALLY_LOG_LEVEL") {
			cfg.LogLevel = "warn" // keep the terminal for the welcome text
		}
		return demopkg.Run(cmd.Context(), demopkg.Options{Config: cfg, DBPath: db, Reset: reset, Out: cmd.OutOrStdout()})
	}
	return cmd
}
