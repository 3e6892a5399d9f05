package app

import (
	"fmt"

	"os"
	"strconv"
	"strings"
	"time"

	"github.com/tallyhq/tally/jobs"
)

// Config is every process setting, each read from the environment with a
// default (documented in the README).
type Config struct {
	Addr            string        // TALLY_ADDR, default 127.0.0.1:8080
	DatabaseURL     string        // TALLY_DATABASE_URL, default sqlite://./tally.db
	RootKey         string        // TALLY_ROOT_KEY, default empty (tenant creation off)
	Scheduler       bool          // TALLY_SCHEDULER on|off, default on
	LogLevel        string        // TALLY_LOG_LEVEL debug|info|warn|error, default info
	BodyLimit       string        // TALLY_BODY_LIMIT, default 8M
	ShutdownTimeout time.Duration // TALLY_SHUTDOWN_TIMEOUT, default 20s
	RateLimit       float64       // TALLY_RATE_LIMIT requests/second per key, default 500; 0 = off
	TestClock       bool          // TALLY_TEST_CLOCK on|off, default off: per-tenant test clocks (never in production)
	Jobs            jobs.Config   // TALLY_INVOICE_SCHEDULE, TALLY_FINALIZE_SCHEDULE, TALLY_STRIPE_SYNC_SCHEDULE, TALLY_FINALIZE_GRACE
}

// FromEnv reads the settings; unknown values are errors, not silent
// defaults.
func FromEnv() (Config, error) {
	c := Config{
		Addr:            env("TALLY_ADDR", "127.0.0.1:8080"),
		DatabaseURL:     env("TALLY_DATABASE_URL", "sqlite://./tally.db"),
		RootKey:         os.Getenv("TALLY_ROOT_KEY"),
		LogLevel:        env("TALLY_LOG_LEVEL", "info"),
		BodyLimit:       env("TALLY_BODY_LIMIT", "8M"),
		ShutdownTimeout: 20 * time.Second,
	}
	switch strings.ToLower(env("TALLY_SCHEDULER", "on")) {
	case "on", "true", "1":
		c.Scheduler = true
	case "off", "false", "0":
		c.Scheduler = false
	default:
		return c, fmt.Errorf("TALLY_SCHEDULER must be on or off, got %q", os.Getenv("TALLY_SCHEDULER"))
	}
	switch strings.ToLower(env("TALLY_TEST_CLOCK", "off")) {
	case "on", "true", "1":
		c.TestClock = true
	case "off", "false", "0":
	default:
		return c, fmt.Errorf("TALLY_TEST_CLOCK must be on or off, got %q", os.Getenv("TALLY_TEST_CLOCK"))
	}
	c.Jobs = jobs.Config{InvoiceSchedule: os.Getenv("TALLY_INVOICE_SCHEDULE"), FinalizeSchedule: os.Getenv("TALLY_FINALIZE_SCHEDULE"),
		StripeSyncSchedule: os.Getenv("TALLY_STRIPE_SYNC_SCHEDULE")}.Defaults()
	if v := os.Getenv("TALLY_FINALIZE_GRACE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return c, fmt.Errorf("TALLY_FINALIZE_GRACE: %w", err)
		}
		c.Jobs.FinalizeGrace = d
	}
	c.Jobs.TestClocks = c.TestClock
	if err := c.Jobs.Validate(); err != nil {
		return c, err
	}
	c.RateLimit = 500
	if v := os.Getenv("TALLY_RATE_LIMIT"); v != "" {
		r, err := strconv.ParseFloat(v, 64)
		if err != nil || r < 0 {
			return c, fmt.Errorf("TALLY_RATE_LIMIT must be a number of requests per second (0 = off), got %q", v)
		}
		c.RateLimit = r
	}
	if v := os.Getenv("TALLY_SHUTDOWN_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return c, fmt.Errorf("TALLY_SHUTDOWN_TIMEOUT: %w", err)
		}
		c.ShutdownTimeout = d
	}
	return c, nil
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
