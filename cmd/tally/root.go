package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// usageError is a bad argument or flag: tally prints it with a usage line
// and exits with status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// newRoot builds the command tree; commands print to stdout and stderr.
func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "tally",
		Short: "Usage-based billing: the API server, migrations, the demo and the operator's tools",
		Long: `tally — usage-based billing.

Settings come from the environment (TALLY_*, STRIPE_*; see the README or
'tally config'); a command's flags override them.`,
		Args:          groupArgs,
		RunE:          groupRun,
		SilenceErrors: true,
		SilenceUsage:  true,
		Version:       buildVersion().String(),
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(serveCmd(), migrateCmd(), demoCmd(), scenarioCmd(), invoiceCmd(), planCmd(), versionCmd(), configCmd(), openapiCmd(), benchCmd(), eventsCmd())
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Use = "completion SHELL"
			c.Short = "shell completion for bash, zsh, fish or powershell, e.g. `source <(tally completion bash)`"
		}
	}
	return root
}

// groupArgs refuses an unknown subcommand of a command that only groups
// others.
func groupArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErrorf("unknown command %q for %q", args[0], cmd.CommandPath())
	}
	return nil
}

// groupRun is a group command run without its subcommand.
func groupRun(cmd *cobra.Command, _ []string) error {
	return usageError{fmt.Errorf("%s needs a command", cmd.CommandPath())}
}

// args wraps a cobra argument check so that its failure is a usage error.
func args(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, a []string) error {
		if err := check(cmd, a); err != nil {
			return usageError{err}
		}
		return nil
	}
}
