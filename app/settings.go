package app

import (
	"strconv"
	"strings"
)

// Setting is one process setting: its environment variable, the flag of
// the tally command that overrides it, its default and what it allows.
type Setting struct {
	Env     string // TALLY_ADDR
	Flag    string // addr (the tally command's --addr); empty: no flag
	Default string // the value used when none is given, as it would be written
	Allowed string // what a value may be, for errors and help
	Doc     string // what the setting does
	Secret  bool   // masked when shown

	set  func(c *Config, v string) error // parses v into c; nil: read elsewhere (STRIPE_*)
	show func(c Config) string           // the effective value
}

// Show is the setting's effective value in c, with secrets masked.
func (s Setting) Show(c Config) string {
	v := s.show(c)
	if s.Secret {
		return Mask(v)
	}
	return v
}

// Mask hides a secret: "(not set)", "(set)" for a short one, or "****"
// and its last four characters.
func Mask(v string) string {
	switch {
	case v == "":
		return "(not set)"
	case len(v) < 12:
		return "(set)"
	}
	return "****" + v[len(v)-4:]
}

// LookupSetting returns the setting of the variable env.
func LookupSetting(env string) (Setting, bool) {
	for _, s := range Settings {
		if s.Env == env {
			return s, true
		}
	}
	return Setting{}, false
}

const (
	onOff    = "on or off"
	cronSpec = "a 5-field cron spec or a descriptor such as @hourly"
	sizeSpec = "a positive size such as 8M, 512K or 1048576 (bytes)"
	// durationSpec is what a timeout may be.
	durationSpec = "a positive duration such as 10s or 2m"
)

// Settings are all of Tally's settings, in the README's order.
var Settings = []Setting{
	{Env: "TALLY_ADDR", Flag: "addr", Default: "127.0.0.1:8080", Allowed: "HOST:PORT, e.g. 127.0.0.1:8080 or :8080",
		Doc: "where the API listens",
		set: func(c *Config, v string) (err error) { c.Addr, err = parseAddr(v); return }, show: func(c Config) string { return c.Addr }},
	{Env: "TALLY_DATABASE_URL", Flag: "db", Default: "sqlite://./tally.db", Allowed: "postgres://… or sqlite://PATH",
		Doc:  "`postgres://…` for PostgreSQL (production), `sqlite://PATH` for an embedded file",
		set:  func(c *Config, v string) (err error) { c.DatabaseURL, err = parseDatabaseURL(v); return },
		show: func(c Config) string { return redactURL(c.DatabaseURL) }},
	{Env: "TALLY_READ_DATABASE_URL", Flag: "read-db", Allowed: "empty, or postgres://… (a streaming replica of a Postgres TALLY_DATABASE_URL)",
		Doc:  "a read replica for the reads that accept replication lag: proposed invoices, usage series and the portal's (runs, finalization, balances and every write stay on the primary); empty: the primary serves all",
		set:  func(c *Config, v string) (err error) { c.ReadDatabaseURL, err = parseReadDatabaseURL(v); return },
		show: func(c Config) string { return redactURL(c.ReadDatabaseURL) }},
	{Env: "TALLY_ROOT_KEY", Flag: "root-key", Allowed: "any text", Secret: true,
		Doc: "enables `POST /v1/tenants` with this bearer key; empty disables it",
		set: func(c *Config, v string) error { c.RootKey = v; return nil }, show: func(c Config) string { return c.RootKey }},
	{Env: "TALLY_SCHEDULER", Flag: "scheduler", Default: "on", Allowed: onOff,
		Doc: "`off` runs no background job (invoice runs, finalization, Stripe sync)",
		set: func(c *Config, v string) (err error) { c.Scheduler, err = parseOnOff(v); return }, show: func(c Config) string { return showOnOff(c.Scheduler) }},
	{Env: "TALLY_INVOICE_SCHEDULE", Flag: "invoice-schedule", Default: "@hourly", Allowed: cronSpec,
		Doc:  "cron spec of invoice runs for every tenant",
		set:  func(c *Config, v string) (err error) { c.Jobs.InvoiceSchedule, err = parseCron(v); return },
		show: func(c Config) string { return c.Jobs.InvoiceSchedule }},
	{Env: "TALLY_FINALIZE_SCHEDULE", Flag: "finalize-schedule", Default: "*/15 * * * *", Allowed: cronSpec,
		Doc:  "cron spec of the finalization of due drafts",
		set:  func(c *Config, v string) (err error) { c.Jobs.FinalizeSchedule, err = parseCron(v); return },
		show: func(c Config) string { return c.Jobs.FinalizeSchedule }},
	{Env: "TALLY_FINALIZE_GRACE", Flag: "finalize-grace", Default: "24h", Allowed: "a positive duration such as 24h or 90m",
		Doc:  "how long after its period ends a draft waits for late events before it is finalized",
		set:  func(c *Config, v string) (err error) { c.Jobs.FinalizeGrace, err = parsePositiveDuration(v); return },
		show: func(c Config) string { return c.Jobs.FinalizeGrace.String() }},
	{Env: "TALLY_STRIPE_SYNC_SCHEDULE", Flag: "stripe-sync-schedule", Default: "*/5 * * * *", Allowed: cronSpec,
		Doc:  "cron spec of Stripe sync retries",
		set:  func(c *Config, v string) (err error) { c.Jobs.StripeSyncSchedule, err = parseCron(v); return },
		show: func(c Config) string { return c.Jobs.StripeSyncSchedule }},
	{Env: "TALLY_RUN_PAGE_SIZE", Flag: "run-page-size", Default: "200", Allowed: "a whole number from 1 to 500",
		Doc:  "subscriptions an invoice run reads, drafts and writes in one transaction (memory grows with it, never with the tenant)",
		set:  func(c *Config, v string) (err error) { c.RunPageSize, err = parseRunPageSize(v); return },
		show: func(c Config) string { return strconv.Itoa(c.RunPageSize) }},
	{Env: "TALLY_WEBHOOK_SCHEDULE", Flag: "webhook-schedule", Default: "@every 10s", Allowed: cronSpec,
		Doc:  "cron spec (or `@every 10s`) of sending due outbound webhook deliveries",
		set:  func(c *Config, v string) (err error) { c.Jobs.WebhookSchedule, err = parseCron(v); return },
		show: func(c Config) string { return orDefault(c.Jobs.WebhookSchedule, "@every 10s") }},
	{Env: "STRIPE_API_KEY", Secret: true, Allowed: "a Stripe secret key",
		Doc:  "enables Stripe sync; without it invoices simply stay unsynced",
		show: func(c Config) string { return c.Stripe.APIKey }},
	{Env: "STRIPE_API_BASE", Default: "Stripe's", Allowed: "a URL",
		Doc:  "e.g. `http://localhost:12111` for stripe-mock",
		show: func(c Config) string { return orDefault(c.Stripe.APIBase, "https://api.stripe.com") }},
	{Env: "STRIPE_WEBHOOK_SECRET", Secret: true, Allowed: "a webhook signing secret, whsec_…",
		Doc:  "verifies `POST /v1/webhooks/stripe`",
		show: func(c Config) string { return c.Stripe.WebhookSecret }},
	{Env: "STRIPE_MAX_RETRIES", Default: "4", Allowed: "a whole number",
		Doc: "retries of a Stripe call after a timeout, 429 or 5xx (exponential backoff with jitter)",
		show: func(c Config) string {
			switch {
			case c.Stripe.MaxRetries == 0:
				return "4"
			case c.Stripe.MaxRetries < 0:
				return "0"
			}
			return strconv.Itoa(c.Stripe.MaxRetries)
		}},
	{Env: "STRIPE_RATE_PER_SECOND", Default: "20", Allowed: "a positive number",
		Doc: "most Stripe calls a second from one server",
		show: func(c Config) string {
			if c.Stripe.RatePerSecond == 0 {
				return "20"
			}
			return strconv.FormatFloat(c.Stripe.RatePerSecond, 'f', -1, 64)
		}},
	{Env: "STRIPE_COLLECTION_METHOD", Default: "charge_automatically", Allowed: "charge_automatically or send_invoice",
		Doc:  "or `send_invoice`",
		show: func(c Config) string { return orDefault(c.Stripe.CollectionMethod, "charge_automatically") }},
	{Env: "STRIPE_DAYS_UNTIL_DUE", Default: "30", Allowed: "a whole number of days",
		Doc: "for `send_invoice`",
		show: func(c Config) string {
			if c.Stripe.DaysUntilDue <= 0 {
				return "30"
			}
			return strconv.FormatInt(c.Stripe.DaysUntilDue, 10)
		}},
	{Env: "TALLY_LOG_LEVEL", Flag: "log-level", Default: "info", Allowed: "debug, info, warn or error",
		Doc: "`debug`, `info`, `warn`, `error` (JSON logs on stderr, with request ids)",
		set: func(c *Config, v string) (err error) { c.LogLevel, err = parseLogLevel(v); return }, show: func(c Config) string { return c.LogLevel }},
	{Env: "TALLY_BODY_LIMIT", Flag: "body-limit", Default: "1M", Allowed: sizeSpec,
		Doc: "largest request body, except on the ingest routes (413 `request_too_large` beyond)",
		set: func(c *Config, v string) (err error) { c.BodyLimit, err = parseSize(v); return }, show: func(c Config) string { return c.BodyLimit }},
	{Env: "TALLY_INGEST_BODY_LIMIT", Flag: "ingest-body-limit", Default: "8M", Allowed: sizeSpec,
		Doc:  "largest request body of `POST /v1/events` and `POST /v1/events/batch`",
		set:  func(c *Config, v string) (err error) { c.IngestBodyLimit, err = parseSize(v); return },
		show: func(c Config) string { return c.IngestBodyLimit }},
	{Env: "TALLY_READ_HEADER_TIMEOUT", Flag: "read-header-timeout", Default: "10s", Allowed: durationSpec,
		Doc:  "most time a client may take to send a request's headers (slow clients are cut off)",
		set:  func(c *Config, v string) (err error) { c.ReadHeaderTimeout, err = parsePositiveDuration(v); return },
		show: func(c Config) string { return c.ReadHeaderTimeout.String() }},
	{Env: "TALLY_READ_TIMEOUT", Flag: "read-timeout", Default: "60s", Allowed: durationSpec,
		Doc:  "most time a client may take to send a whole request, body included",
		set:  func(c *Config, v string) (err error) { c.ReadTimeout, err = parsePositiveDuration(v); return },
		show: func(c Config) string { return c.ReadTimeout.String() }},
	{Env: "TALLY_WRITE_TIMEOUT", Flag: "write-timeout", Default: "60s", Allowed: durationSpec,
		Doc:  "most time from the end of a request's headers to the end of its reply",
		set:  func(c *Config, v string) (err error) { c.WriteTimeout, err = parsePositiveDuration(v); return },
		show: func(c Config) string { return c.WriteTimeout.String() }},
	{Env: "TALLY_IDLE_TIMEOUT", Flag: "idle-timeout", Default: "120s", Allowed: durationSpec,
		Doc:  "how long an idle keep-alive connection stays open",
		set:  func(c *Config, v string) (err error) { c.IdleTimeout, err = parsePositiveDuration(v); return },
		show: func(c Config) string { return c.IdleTimeout.String() }},
	{Env: "TALLY_CORS_ORIGINS", Flag: "cors-origins", Default: "", Allowed: "comma-separated origins such as https://app.example.com (scheme://host[:port])",
		Doc:  "browser origins allowed to call the API (CORS); empty: none, no CORS headers are sent",
		set:  func(c *Config, v string) (err error) { c.CORSOrigins, err = parseOrigins(v); return },
		show: func(c Config) string { return strings.Join(c.CORSOrigins, ",") }},
	{Env: "TALLY_RATE_LIMIT", Flag: "rate-limit", Default: "500", Allowed: "a number of requests per second, 0 or more (0 = off)",
		Doc:  "requests per second per API key (bursts of twice as many; 429 with `Retry-After` beyond); `0` turns it off",
		set:  func(c *Config, v string) (err error) { c.RateLimit, err = parseRate(v); return },
		show: func(c Config) string { return strconv.FormatFloat(c.RateLimit, 'f', -1, 64) }},
	{Env: "TALLY_TRUSTED_PROXIES", Flag: "trusted-proxies", Default: "", Allowed: "comma-separated CIDRs such as 10.0.0.0/8,127.0.0.1/32",
		Doc:  "proxies whose `X-Forwarded-For` is believed for the client address (rate limits of requests without a key); empty: none",
		set:  func(c *Config, v string) (err error) { c.TrustedProxies, err = parseCIDRs(v); return },
		show: func(c Config) string { return strings.Join(c.TrustedProxies, ",") }},
	{Env: "TALLY_SHUTDOWN_TIMEOUT", Flag: "shutdown-timeout", Default: "20s", Allowed: "a positive duration such as 20s or 1m",
		Doc:  "graceful shutdown on SIGTERM",
		set:  func(c *Config, v string) (err error) { c.ShutdownTimeout, err = parsePositiveDuration(v); return },
		show: func(c Config) string { return c.ShutdownTimeout.String() }},
	{Env: "TALLY_PPROF_ADDR", Flag: "pprof-addr", Allowed: "empty, or HOST:PORT such as 127.0.0.1:6060",
		Doc: "serves Go's profiler (`/debug/pprof/`) on this separate address, unauthenticated: keep it on loopback; empty: off",
		set: func(c *Config, v string) (err error) {
			if v == "" {
				c.PprofAddr = ""
				return nil
			}
			c.PprofAddr, err = parseAddr(v)
			return
		},
		show: func(c Config) string { return c.PprofAddr }},
	{Env: "TALLY_TEST_CLOCK", Flag: "test-clock", Default: "off", Allowed: onOff,
		Doc: "`on` enables per-tenant test clocks (`/v1/test_clock`); never in production",
		set: func(c *Config, v string) (err error) { c.TestClock, err = parseOnOff(v); return }, show: func(c Config) string { return showOnOff(c.TestClock) }},
	{Env: "TALLY_SECURE_COOKIES", Flag: "secure-cookies", Default: "off", Allowed: onOff,
		Doc: "`on` marks the console's session cookies Secure on plain HTTP too (set it when TLS ends at a proxy in front of Tally); requests over TLS always get Secure cookies",
		set: func(c *Config, v string) (err error) { c.SecureCookies, err = parseOnOff(v); return }, show: func(c Config) string { return showOnOff(c.SecureCookies) }},
	{Env: "TALLY_URL", Flag: "url", Default: "http://127.0.0.1:8080", Allowed: "an http:// or https:// URL",
		Doc: "the server `tally scenario run` plays against",
		set: func(c *Config, v string) (err error) { c.URL, err = parseHTTPURL(v); return }, show: func(c Config) string { return c.URL }},
}
