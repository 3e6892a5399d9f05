package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/tallyhq/tally/app"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/tenants"
)

// Options configure Run.
type Options struct {
	// Config holds the process settings (app.FromEnv); its DatabaseURL is
	// replaced by the demo database.
	Config app.Config
	// DBPath is the SQLite file to create; "" makes one in a new temporary
	// folder, removed when Run returns.
	DBPath string
	// Reset allows DBPath to exist already: it is deleted first.
	Reset bool
	// Out receives the welcome text (nil = os.Stdout).
	Out io.Writer
	// Clock is the services' clock (nil = the system clock).
	Clock domain.Clock
	// Log is the server's logger (nil = app.NewLogger(Config.LogLevel)).
	Log *slog.Logger
	// Ready, if set, is called once the server listens, after the welcome
	// text is written.
	Ready func(Welcome)
}

// Run creates a fresh SQLite database, seeds the demo tenant, prints the
// welcome text and serves the API until ctx is done.
func Run(ctx context.Context, opts Options) error {
	out := opts.Out
	if out == nil {
		out = os.Stdout
	}
	path, temporary := opts.DBPath, opts.DBPath == ""
	if temporary {
		dir, err := os.MkdirTemp("", "tally-demo-")
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, "tally.db")
	} else if err := freshFile(path, opts.Reset); err != nil {
		return err
	}
	data, err := Load()
	if err != nil {
		return err
	}

	cfg := opts.Config
	cfg.DatabaseURL = "sqlite://" + path
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = 20 * time.Second
	}
	a, err := app.Open(ctx, cfg, opts.Clock, opts.Log)
	if err != nil {
		return err
	}
	defer a.Close()

	began := time.Now()
	res, err := SeedData(ctx, a.Services, opts.Clock, data)
	if err != nil {
		return err
	}
	took := time.Since(began)

	ready := make(chan string, 1)
	errc := make(chan error, 1)
	go func() { errc <- a.Serve(ctx, ready) }()
	select {
	case err := <-errc:
		return err
	case addr := <-ready:
		w := Welcome{URL: "http://" + dialable(addr), DBPath: path, Temporary: temporary, Seeded: res, Took: took,
			Commands: commands(data, res), Shell: shellCommands(path, res), Scheduler: cfg.Scheduler, FinalizeGrace: cfg.Jobs.FinalizeGrace}
		if c, ok := res.Customer(res.Featured); ok {
			_, tok, err := a.Services.Tenants.CreatePortalToken(ctx, res.TenantID, c.ID, tenants.CreatePortalTokenInput{TTL: "720h"})
			if err != nil {
				return err
			}
			w.Portal, w.PortalFor = w.URL+"/portal?token="+tok, c.Name
		}
		if err := w.Write(out); err != nil {
			return err
		}
		if opts.Ready != nil {
			opts.Ready(w)
		}
	}
	return <-errc
}

// freshFile checks that path may be created: it must not exist, unless
// reset, in which case it (and SQLite's side files) are deleted.
func freshFile(path string, reset bool) error {
	_, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("demo: %w", err)
	case !reset:
		return fmt.Errorf("demo: %s already exists; pass --reset to replace it, or choose another --db path", path)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("demo: reset: %w", err)
		}
	}
	return nil
}

// dialable turns a listening address into one a client on this machine can
// reach: an unspecified host (0.0.0.0, ::) becomes 127.0.0.1.
func dialable(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
