package bench

import (
	"fmt"
	"io"
	"time"
)

// Options configure a bench. Zero values take each bench's defaults
// (Defaults), smaller in Short mode.
type Options struct {
	// DatabaseURL is the database the server and the baselines use:
	// postgres://… or sqlite://PATH (migrated first). Required.
	DatabaseURL string
	// URL targets a server already running on DatabaseURL (RootKey must be
	// its TALLY_ROOT_KEY); empty starts one in this process on a free
	// loopback port.
	URL     string
	RootKey string
	// Short shrinks every size so that the bench finishes in seconds and
	// judges no figure against its target.
	Short bool
	// Clients is how many concurrent HTTP clients send the load.
	Clients int
	// Customers is how many customers share the events (ingest, preview).
	Customers int
	// Events is how many events the ingest bench sends.
	Events int
	// Sizes are the event counts (preview) or subscription counts (run)
	// measured one after the other, side by side.
	Sizes []int
	// Requests is how many previews are timed at each size.
	Requests int
	// Rate is the balance requests per second; Duration how long they run.
	Rate     int
	Duration time.Duration
	// Log receives progress lines (nil: none).
	Log io.Writer
}

// Defaults returns o with every zero field set to the bench's default.
func (o Options) Defaults(bench string) Options {
	def := func(v *int, full, short int) {
		if *v == 0 {
			*v = map[bool]int{false: full, true: short}[o.Short]
		}
	}
	switch bench {
	case "ingest":
		def(&o.Clients, 4, 2)
		def(&o.Customers, 1, 1)
		def(&o.Events, 1_000_000, 6_000)
	case "preview":
		def(&o.Clients, 4, 2)
		def(&o.Customers, 1, 1)
		def(&o.Requests, 300, 20)
		if len(o.Sizes) == 0 {
			o.Sizes = map[bool][]int{false: {1_000_000, 10_000_000}, true: {2_000, 6_000}}[o.Short]
		}
	case "balance":
		def(&o.Clients, 4, 2)
		def(&o.Events, 100_000, 2_000)
		def(&o.Rate, 200, 20)
		if o.Duration == 0 {
			o.Duration = map[bool]time.Duration{false: 20 * time.Second, true: time.Second}[o.Short]
		}
	case "run":
		def(&o.Clients, 4, 2)
		if len(o.Sizes) == 0 {
			o.Sizes = map[bool][]int{false: {10_000, 100_000}, true: {20, 60}}[o.Short]
		}
	}
	return o
}

// logf writes a progress line.
func (o Options) logf(format string, args ...any) {
	if o.Log != nil {
		fmt.Fprintf(o.Log, format+"\n", args...)
	}
}

// Benches are the benches Run knows, in the order `tally bench all` runs
// them.
var Benches = []string{"ingest", "preview", "balance", "run"}
