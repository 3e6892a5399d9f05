package demo

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/invoicing"
)

// Welcome is what the demo prints once it is up.
type Welcome struct {
	URL       string // base URL, no trailing slash
	DBPath    string
	Temporary bool // DBPath is removed on exit
	Seeded    Result
	Took      time.Duration // seeding time
	Commands  []Command
	// Shell are `tally invoice` command lines reading the demo database.
	Shell []string
	// Scheduler is on when background jobs run; they finalize a draft
	// FinalizeGrace after its period ends.
	Scheduler     bool
	FinalizeGrace time.Duration
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
	fmt.Fprintf(&b, "  tenant      %s (%s): %s, %s, %s, %s\n", TenantName, r.TenantID, nounMeter.Count(len(r.Meters)),
		nounPlan.Count(len(r.Plans)), nounCustomer.Count(len(r.Customers)), nounGrant.Count(r.Grants))
	fmt.Fprintf(&b, "  usage       %s from %s up to now (%s), seeded in %s\n", nounEvent.Count(r.Events),
		r.UsageFrom.Format("2006-01-02 15:04 MST"), r.Now.Format("2006-01-02 15:04 MST"), w.Took.Round(100*time.Millisecond))
	fmt.Fprintf(&b, "  admin key   %s   (everything in the tenant)\n", r.AdminKey)
	fmt.Fprintf(&b, "  ingest key  %s   (sending events only)\n", r.IngestKey)
	fmt.Fprintf(&b, "  console     %s/console/  (log in with the admin key above)\n\n", w.URL)

	if err := w.writeCustomers(&b); err != nil {
		return err
	}
	if err := w.writeInvoices(&b); err != nil {
		return err
	}
	b.WriteString("Try:\n")
	for _, c := range w.Commands {
		fmt.Fprintf(&b, "  # %s\n  %s\n\n", c.Title, c.Curl(w.URL))
	}
	if len(w.Shell) > 0 {
		b.WriteString("Or from the command line, on the demo database (tally is `go run ./cmd/tally` in a checkout):\n")
		for _, l := range w.Shell {
			fmt.Fprintf(&b, "  %s\n", l)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "The API is described at %s/openapi.json. Press Ctrl-C to stop.\n", w.URL)
	_, err := io.WriteString(out, b.String())
	return err
}

func (w Welcome) writeCustomers(b *strings.Builder) error {
	b.WriteString("Customers (monthly billing in their own time zone, since the start of last month or, on an anniversary cycle, a month and a half ago):\n")
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  external_id\tname\tplan\tcycle\ttime zone\tcurrency\tusage\tcustomer id\tsubscription id")
	for _, c := range w.Seeded.Customers {
		tz := c.Timezone
		if tz == "" {
			tz = "UTC"
		}
		unit := c.Unit
		if unit.Many == "" {
			unit = nounEvent
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.ExternalID, c.Name, orDash(c.Plan), orDash(c.BillingCycle), tz, c.Currency,
			unit.Count(c.Events), c.ID, orDash(c.SubscriptionID))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	b.WriteString("\n")
	return nil
}

func (w Welcome) writeInvoices(b *strings.Builder) error {
	r := w.Seeded
	if len(r.Invoices) == 0 {
		return nil
	}
	b.WriteString("Invoices (an invoice run drafted every period that has ended; one is finalized):\n")
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  number\tstatus\treason\tcustomer\tperiod (its time zone)\ttotal\tinvoice id")
	for _, inv := range r.Invoices {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s %s\t%s\n", orDash(inv.Number), inv.Status, inv.Reason, inv.Customer,
			periodText(inv.Period, inv.Location), inv.Currency.Format(inv.Total), inv.Currency, inv.ID)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	finalized := len(r.Invoices) - r.Drafts()
	fmt.Fprintf(b, "  %s: %s, %d %s.", nounInvoice.Count(len(r.Invoices)), nounDraft.Count(r.Drafts()), finalized, invoicing.Finalized)
	if w.Scheduler {
		fmt.Fprintf(b, " The scheduler finalizes each draft %s after its period ends.", durationText(w.FinalizeGrace))
	}
	b.WriteString("\n\n")
	return nil
}

// periodText writes a period as its first and last day in loc (nil =
// UTC): "2026-02-01 … 2026-02-28".
func periodText(p domain.Period, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return p.Start.In(loc).Format("2006-01-02") + " … " + p.End.Add(-time.Nanosecond).In(loc).Format("2006-01-02")
}

// durationText writes whole hours as "24h", anything else as Go does.
func durationText(d time.Duration) string {
	if d > 0 && d%time.Hour == 0 {
		return fmt.Sprintf("%dh", d/time.Hour)
	}
	return d.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
