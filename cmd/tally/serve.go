package main

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/tallyhq/tally/app"
	"github.com/tallyhq/tally/migrations"
	"github.com/tallyhq/tally/store"
)

func serveCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "the API server and background jobs (migrates first)",
		Args:  args(cobra.NoArgs),
	}
	settings := bindSettings(cmd, serverSettings...)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		cfg, err := settings.load()
		if err != nil {
			return err
		}
		a, err := app.Open(cmd.Context(), cfg, nil, nil)
		if err != nil {
			return err
		}
		defer a.Close()
		return a.Serve(cmd.Context(), nil)
	}
	return cmd
}

// serverSettings are the settings of a server (all but TALLY_URL).
var serverSettings = func() []string {
	var out []string
	for _, s := range app.Settings {
		if s.Flag != "" && s.Env != "TALLY_URL" {
			out = append(out, s.Env)
		}
	}
	return out
}()

func migrateCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "apply pending migrations and exit",
		Args:  args(cobra.NoArgs),
	}
	settings := bindSettings(cmd, "TALLY_DATABASE_URL")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		cfg, err := settings.load()
		if err != nil {
			return err
		}
		ctx := cmd.Context()
		db, err := store.Open(ctx, cfg.DatabaseURL)
		if err != nil {
			return err
		}
		defer db.Close()
		applied, err := migrations.Apply(ctx, db)
		if err != nil {
			return err
		}
		out := cmd.OutOrStdout()
		if len(applied) == 0 {
			fmt.Fprintln(out, "database is up to date")
		}
		for _, name := range applied {
			fmt.Fprintln(out, "applied", name)
		}
		return nil
	}
	return cmd
}
