package app

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/tallyhq/tally/invoicing/stripesync"
	"github.com/tallyhq/tally/jobs"
)

// Config is every process setting, parsed once at start from the
// environment (and, in the tally command, its flags). Settings lists them
// with their defaults and what each allows.
type Config struct {
	Addr            string // TALLY_ADDR, default 127.0.0.1:8080
	DatabaseURL     string // TALLY_DATABASE_URL, default sqlite://./tally.db
	ReadDatabaseURL string // TALLY_READ_DATABASE_URL, default empty (no replica)
	RootKey         string // TALLY_ROOT_KEY, default empty (tenant creation off)
	Scheduler       bool   // TALLY_SCHEDULER on|off, default on
	LogLevel        string // TALLY_LOG_LEVEL debug|info|warn|error, default info
	BodyLimit       string // TALLY_BODY_LIMIT, default 1M
	IngestBodyLimit string // TALLY_INGEST_BODY_LIMIT, default 8M: POST /v1/events and /v1/events/batch
	// ReadHeaderTimeout, ReadTimeout, WriteTimeout and IdleTimeout are the
	// http.Server's (TALLY_READ_HEADER_TIMEOUT 10s, TALLY_READ_TIMEOUT 60s,
	// TALLY_WRITE_TIMEOUT 60s, TALLY_IDLE_TIMEOUT 120s); zero: the default.
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	CORSOrigins       []string          // TALLY_CORS_ORIGINS, default none: browser origins allowed (CORS off when empty)
	ShutdownTimeout   time.Duration     // TALLY_SHUTDOWN_TIMEOUT, default 20s
	RateLimit         float64           // TALLY_RATE_LIMIT requests/second per key, default 500; 0 = off
	TrustedProxies    []string          // TALLY_TRUSTED_PROXIES CIDRs whose X-Forwarded-For is believed
	PprofAddr         string            // TALLY_PPROF_ADDR, default empty (off): where /debug/pprof/ listens, apart from the API
	TestClock         bool              // TALLY_TEST_CLOCK on|off, default off: per-tenant test clocks (never in production)
	SecureCookies     bool              // TALLY_SECURE_COOKIES on|off, default off: console cookies Secure on plain HTTP too (TLS ended at a proxy)
	RunPageSize       int               // TALLY_RUN_PAGE_SIZE, default 200: subscriptions an invoice run drafts and writes in one transaction
	URL               string            // TALLY_URL, the server `tally scenario run` talks to, default http://127.0.0.1:8080
	Jobs              jobs.Config       // TALLY_INVOICE_SCHEDULE, TALLY_FINALIZE_SCHEDULE, TALLY_STRIPE_SYNC_SCHEDULE, TALLY_WEBHOOK_SCHEDULE, TALLY_FINALIZE_GRACE
	Stripe            stripesync.Config // STRIPE_*, read by stripesync.ConfigFromEnv
}

// Lookup gives the raw value of a setting if it was given, and where it
// came from: the variable's name ("TALLY_ADDR") or a flag ("--addr").
type Lookup func(s Setting) (value, from string, ok bool)

// EnvLookup reads a setting from its environment variable; an empty value
// counts as not given.
func EnvLookup(s Setting) (string, string, bool) {
	v := os.Getenv(s.Env)
	return v, s.Env, v != ""
}

// FromEnv reads the settings from the environment; a malformed value is an
// error naming the setting, the value and what is allowed.
func FromEnv() (Config, error) {
	return Load(EnvLookup)
}

// Load reads every setting through lookup, over the defaults. STRIPE_*
// settings are always read from the environment (stripesync.ConfigFromEnv).
func Load(lookup Lookup) (Config, error) {
	var c Config
	for _, s := range Settings {
		if s.set == nil {
			continue
		}
		if err := s.set(&c, s.Default); err != nil {
			panic(fmt.Sprintf("app: the default of %s does not parse: %v", s.Env, err))
		}
		v, from, ok := lookup(s)
		if !ok {
			continue
		}
		if err := s.set(&c, strings.TrimSpace(v)); err != nil {
			return c, &SettingError{Setting: s, From: from, Value: v}
		}
	}
	c.Jobs.TestClocks = c.TestClock
	stripe, err := stripesync.ConfigFromEnv()
	if err != nil {
		return c, err
	}
	c.Stripe = stripe
	return c, nil
}

// SettingError is a setting whose value does not parse.
type SettingError struct {
	Setting Setting
	From    string // TALLY_… or --flag
	Value   string
}

// Error is one line: the setting, the value and what is allowed.
func (e *SettingError) Error() string {
	if e.From != e.Setting.Env {
		return fmt.Sprintf("invalid %s %q (%s): want %s", e.From, e.Value, e.Setting.Env, e.Setting.Allowed)
	}
	return fmt.Sprintf("invalid %s %q: want %s", e.From, e.Value, e.Setting.Allowed)
}
