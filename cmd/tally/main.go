package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // customers' time zones must not depend on the host
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run runs tally with args and returns the exit status: 0, 1 for a failure
// at run time, 2 for bad arguments or flags (with a usage line on stderr).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "tally:", err)
	var ue usageError
	if !errors.As(err, &ue) {
		return 1
	}
	if cmd.HasAvailableSubCommands() {
		fmt.Fprint(stderr, "\n"+cmd.UsageString())
		return 2
	}
	fmt.Fprintf(stderr, "Usage: %s\nRun '%s --help' for more.\n", cmd.UseLine(), cmd.CommandPath())
	return 2
}
