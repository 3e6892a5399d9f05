package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/tallyhq/tally/app"
)

func configCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "print the effective settings (environment and flags), secrets masked",
		Args:  args(cobra.NoArgs),
	}
	settings := bindSettings(cmd)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		cfg, err := settings.load()
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 2, 2, ' ', 0)
		fmt.Fprintln(tw, "SETTING\tVALUE\tFROM")
		for _, s := range app.Settings {
			from := "default"
			if _, f, ok := settings.lookup(s); ok {
				from = f
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Env, s.Show(cfg), from)
		}
		return tw.Flush()
	}
	return cmd
}
