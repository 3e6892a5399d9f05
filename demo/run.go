package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tallyhq/tally/app"
	"github.com/tallyhq/tally/domain"
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

// Welcome is what the demo prints once it is up.
type Welcome struct {
	URL       string // base URL, no trailing slash
	DBPath    string
	Temporary bool // DBPath is removed on exit
	Seeded    Result
	Took      time.Duration // seeding time
	Commands  []Command
}

// Command is one request to try, as a curl line and as its parts.
type Command struct {
	Title  string
	Method string
	Path   string // with the query string
	Key    string // bearer key
	Body   string // JSON, "" for none
}

// Curl is the command as a copy-pasteable curl line.
func (c Command) Curl(baseURL string) string {
	var b strings.Builder
	b.WriteString("curl -s ")
	if c.Method != "GET" {
		b.WriteString("-X " + c.Method + " ")
	}
	url := baseURL + c.Path
	if strings.ContainsAny(url, "?&") {
		url = "'" + url + "'"
	}
	b.WriteString(url)
	b.WriteString(` -H "Authorization: Bearer ` + c.Key + `"`)
	if c.Body != "" {
		b.WriteString(` -H "Content-Type: application/json" -d '` + c.Body + `'`)
	}
	return b.String()
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
			Commands: commands(data, res)}
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

// featured picks the customer the example commands use: the first with a
// subscription and a usage profile.
func featured(d Data, res Result) (Customer, UsageSpec, bool) {
	for _, u := range d.Usage {
		if c, ok := res.Customer(u.Customer); ok && c.SubscriptionID != "" {
			return c, u, true
		}
	}
	return Customer{}, UsageSpec{}, false
}

// commands are the requests the welcome text suggests.
func commands(d Data, res Result) []Command {
	cmds := []Command{
		{Title: "the plans: O1 token packages, per-execution tiers, BYOK Pro, per-model rates", Method: "GET", Path: "/v1/plans", Key: res.AdminKey},
		{Title: "the customers", Method: "GET", Path: "/v1/customers", Key: res.AdminKey},
		{Title: "their subscriptions, with the current billing period", Method: "GET", Path: "/v1/subscriptions", Key: res.AdminKey},
	}
	c, u, ok := featured(d, res)
	if !ok {
		return cmds
	}
	meter := ""
	for _, p := range d.Plans {
		if p.Key != c.Plan {
			continue
		}
		for _, pr := range p.Prices {
			if pr.Meter != "" {
				meter = pr.Meter
				break
			}
		}
	}
	props := map[string]any{}
	for k, v := range u.Mix[0].Properties {
		props[k] = v
	}
	if q := u.Mix[0].Quantity; q != nil {
		props[q.Field] = q.Max
	}
	body, _ := json.Marshal(struct {
		ID         string         `json:"id"`
		EventName  string         `json:"event_name"`
		Customer   string         `json:"customer"`
		Properties map[string]any `json:"properties"`
	}{"hello-" + c.ExternalID + "-1", u.EventName, c.ExternalID, props})
	cmds = append(cmds, Command{Title: "send an event with the ingest key (the same id is counted once, however often it is sent)",
		Method: "POST", Path: "/v1/events", Key: res.IngestKey, Body: string(body)})
	if meter != "" {
		cmds = append(cmds, Command{Title: fmt.Sprintf("%s's daily usage of %s over the last 30 days", c.Name, meter),
			Method: "GET", Path: "/v1/customers/" + c.ID + "/usage?meter=" + meter + "&granularity=day", Key: res.AdminKey})
	}
	cmds = append(cmds, Command{Title: fmt.Sprintf("the invoice %s's current period would close with if no more usage came", c.Name),
		Method: "GET", Path: "/v1/subscriptions/" + c.SubscriptionID + "/proposed_invoice", Key: res.AdminKey})
	return cmds
}

// Write prints the welcome text.
func (w Welcome) Write(out io.Writer) error {
	r := w.Seeded
	var b strings.Builder
	fmt.Fprintf(&b, "\nTally demo is running at %s\n\n", w.URL)
	if w.Temporary {
		fmt.Fprintf(&b, "  database    %s (a fresh SQLite file, deleted on exit; --db PATH keeps one)\n", w.DBPath)
	} else {
		fmt.Fprintf(&b, "  database    %s (a fresh SQLite file)\n", w.DBPath)
	}
	fmt.Fprintf(&b, "  tenant      %s (%s): %d meters, %d plans, %d customers, %d events since %s, seeded in %s\n",
		TenantName, r.TenantID, len(r.Meters), len(r.Plans), len(r.Customers), r.Events,
		r.UsageFrom.Format("2006-01-02 15:04 MST"), w.Took.Round(100*time.Millisecond))
	fmt.Fprintf(&b, "  admin key   %s   (everything in the tenant)\n", r.AdminKey)
	fmt.Fprintf(&b, "  ingest key  %s   (sending events only)\n\n", r.IngestKey)

	b.WriteString("Customers (monthly calendar billing since the start of last month):\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  external_id\tname\tplan\ttime zone\tevents\tcustomer id\tsubscription id")
	for _, c := range r.Customers {
		tz := c.Timezone
		if tz == "" {
			tz = "UTC"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%d\t%s\t%s\n", c.ExternalID, c.Name, orDash(c.Plan), tz, c.Events, c.ID, orDash(c.SubscriptionID))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	b.WriteString("\nTry:\n")
	for _, c := range w.Commands {
		fmt.Fprintf(&b, "  # %s\n  %s\n\n", c.Title, c.Curl(w.URL))
	}
	fmt.Fprintf(&b, "The API is described at %s/openapi.json. Press Ctrl-C to stop.\n", w.URL)
	_, err := io.WriteString(out, b.String())
	return err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
