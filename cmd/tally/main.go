package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // customers' time zones must not depend on the host

	"github.com/tallyhq/tally/app"
	"github.com/tallyhq/tally/migrations"
	"github.com/tallyhq/tally/store"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `tally — usage-based billing

Usage:
  tally serve                 run the API server (applies migrations first)
  tally migrate               apply pending database migrations and exit
  tally demo                  run on a fresh embedded SQLite database with demo data
  tally scenario run FILE...  play billing scenario files against a server
                              (--url, default $TALLY_URL or http://127.0.0.1:8080;
                               --root-key, default $TALLY_ROOT_KEY)
  tally invoice run [--as-of T] [--tenant ID]
                              draft every missing invoice up to T (default now)
  tally invoice list [--tenant ID] [--status S] [--subscription ID]
  tally invoice show ID       one invoice with its lines
  tally version               print the version

Settings come from the environment; see the README (TALLY_ADDR,
TALLY_DATABASE_URL, TALLY_ROOT_KEY, TALLY_SCHEDULER, TALLY_LOG_LEVEL).
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch os.Args[1] {
	case "serve":
		err = serve(ctx)
	case "migrate":
		err = migrate(ctx)
	case "demo":
		err = demo(ctx, os.Args[2:])
	case "scenario":
		err = scenarioCmd(ctx, os.Args[2:], os.Stdout)
	case "invoice":
		err = invoiceCmd(ctx, os.Args[2:], os.Stdout)
	case "version", "--version", "-v":
		fmt.Println("tally", version)
	case "help", "--help", "-h":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "tally: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tally:", err)
		os.Exit(1)
	}
}

func serve(ctx context.Context) error {
	cfg, err := app.FromEnv()
	if err != nil {
		return err
	}
	a, err := app.Open(ctx, cfg, nil, nil)
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Serve(ctx, nil)
}

func migrate(ctx context.Context) error {
	cfg, err := app.FromEnv()
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := migrations.Apply(ctx, db)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Println("database is up to date")
	}
	for _, name := range applied {
		fmt.Println("applied", name)
	}
	return nil
}
