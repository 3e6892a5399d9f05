package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/tallyhq/tally/app"
	demopkg "github.com/tallyhq/tally/demo"
)

const demoUsage = `Usage: tally demo [--addr HOST:PORT] [--db PATH [--reset]]

Runs the API on a fresh embedded SQLite database holding a demo tenant:
the plans of the shared billing scenarios, six customers subscribed since the
start of last month and about 30 days of their usage. Prints the keys and
requests to try, then serves until Ctrl-C.

Flags:
`

// demo runs `tally demo`.
func demo(ctx context.Context, args []string) error {
	cfg, err := app.FromEnv()
	if err != nil {
		return err
	}
	if os.Getenv("TALLY_LOG_LEVEL") == "" {
		cfg.LogLevel = "warn" // keep the terminal for the welcome text
	}
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), demoUsage)
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "address to listen on; TALLY_ADDR sets the default")
	db := fs.String("db", "", "SQLite file to create (default: a new file in a temporary folder, deleted on exit)")
	reset := fs.Bool("reset", false, "replace the --db file if it exists")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("demo: unexpected argument %q (see tally demo --help)", fs.Arg(0))
	}
	if *reset && *db == "" {
		return errors.New("demo: --reset needs --db PATH")
	}
	return demopkg.Run(ctx, demopkg.Options{Config: cfg, DBPath: *db, Reset: *reset, Out: os.Stdout})
}
