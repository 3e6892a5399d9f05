package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/tallyhq/tally/scenario"
)

func scenarioCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scenario",
		Short: "billing scenario files",
		Args:  groupArgs,
		RunE:  groupRun,
	}
	run := &cobra.Command{
		Use:   "run FILE...",
		Short: "play scenario files against a server; files with steps need it started with TALLY_TEST_CLOCK=on",
		Long: `Plays scenario files against a running server. Each file runs in a
tenant of its own, created with the root key. The exit status is 1 if any
expectation failed.`,
		Args: args(cobra.MinimumNArgs(1)),
	}
	settings := bindSettings(run, "TALLY_URL", "TALLY_ROOT_KEY")
	run.RunE = func(cmd *cobra.Command, files []string) error {
		cfg, err := settings.load()
		if err != nil {
			return err
		}
		if cfg.RootKey == "" {
			return usageErrorf("a root key is needed to create each scenario's tenant: --root-key or TALLY_ROOT_KEY")
		}
		return playScenarios(cmd, cfg.URL, cfg.RootKey, files)
	}
	cmd.AddCommand(run)
	return cmd
}

// playScenarios plays each file and prints its checks.
func playScenarios(cmd *cobra.Command, url, root string, files []string) error {
	out := cmd.OutOrStdout()
	failed := 0
	for _, path := range files {
		f, err := scenario.Load(path)
		if err != nil {
			return err
		}
		rep, err := scenario.Run(cmd.Context(), url, root, f)
		if err != nil {
			fmt.Fprintf(out, "FAIL %s: %v\n", f.Name, err)
			failed++
			continue
		}
		if !rep.Passed() {
			failed++
		}
		printReport(out, f.Name, rep)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d scenarios failed", failed, len(files))
	}
	return nil
}

func printReport(out io.Writer, name string, rep scenario.Report) {
	verdict := "PASS"
	if !rep.Passed() {
		verdict = "FAIL"
	}
	fmt.Fprintf(out, "%s %s (%d events accepted, %d duplicates, %d rejected)\n", verdict, name, rep.Accepted, rep.Duplicates, len(rep.Rejected))
	for _, c := range rep.Checks {
		mark := "  ok  "
		if !c.OK {
			mark = "  FAIL"
		}
		line := mark + " " + c.Name
		if !c.OK && c.Detail != "" {
			line += ": " + c.Detail
		}
		fmt.Fprintln(out, line)
	}
	for _, r := range rep.Rejected {
		fmt.Fprintln(out, "  rejected", strings.TrimSpace(r))
	}
}
