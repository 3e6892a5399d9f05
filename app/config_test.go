package app_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/app"
)

// clearSettings unsets every setting for the test.
func clearSettings(t *testing.T) {
	t.Helper()
	for _, s := range app.Settings {
		t.Setenv(s.Env, "")
		os.Unsetenv(s.Env)
	}
}

func TestEveryBadSettingIsOneLineNamingItTheValueAndWhatIsAllowed(t *testing.T) {
	bad := map[string]string{
		"TALLY_ADDR":                 "8080",
		"TALLY_DATABASE_URL":         "mysql://db",
		"TALLY_SCHEDULER":            "sometimes",
		"TALLY_INVOICE_SCHEDULE":     "every hour",
		"TALLY_FINALIZE_SCHEDULE":    "99 * * * *",
		"TALLY_FINALIZE_GRACE":       "a day",
		"TALLY_STRIPE_SYNC_SCHEDULE": "@often",
		"TALLY_WEBHOOK_SCHEDULE":     "every ten seconds",
		"TALLY_RUN_PAGE_SIZE":        "0",
		"STRIPE_MAX_RETRIES":         "many",
		"STRIPE_RATE_PER_SECOND":     "0",
		"STRIPE_COLLECTION_METHOD":   "cash",
		"STRIPE_DAYS_UNTIL_DUE":      "soon",
		"TALLY_LOG_LEVEL":            "loud",
		"TALLY_BODY_LIMIT":           "lots",
		"TALLY_INGEST_BODY_LIMIT":    "0",
		"TALLY_READ_HEADER_TIMEOUT":  "soon",
		"TALLY_READ_TIMEOUT":         "-1s",
		"TALLY_WRITE_TIMEOUT":        "0s",
		"TALLY_IDLE_TIMEOUT":         "forever",
		"TALLY_CORS_ORIGINS":         "https://a.example/path",
		"TALLY_RATE_LIMIT":           "-1",
		"TALLY_TRUSTED_PROXIES":      "10.0.0.0/33",
		"TALLY_SHUTDOWN_TIMEOUT":     "0s",
		"TALLY_TEST_CLOCK":           "maybe",
		"TALLY_PPROF_ADDR":           "localhost",
		"TALLY_READ_DATABASE_URL":    "sqlite://./replica.db",
		"TALLY_SECURE_COOKIES":       "sometimes",
		"TALLY_URL":                  "127.0.0.1:8080",
	}
	free := map[string]bool{"TALLY_ROOT_KEY": true, "STRIPE_API_KEY": true, "STRIPE_API_BASE": true, "STRIPE_WEBHOOK_SECRET": true}
	for _, s := range app.Settings {
		v, ok := bad[s.Env]
		if !ok {
			if !free[s.Env] {
				t.Errorf("%s has no bad value in this test", s.Env)
			}
			continue
		}
		t.Run(s.Env+"="+v+" is refused", func(t *testing.T) {
			clearSettings(t)
			t.Setenv(s.Env, v)
			_, err := app.FromEnv()
			if err == nil {
				t.Fatal("accepted")
			}
			msg := err.Error()
			if !strings.Contains(msg, s.Env) || !strings.Contains(msg, v) || strings.Contains(msg, "\n") {
				t.Errorf("%q is not one line naming %s and %q", msg, s.Env, v)
			}
			if strings.HasPrefix(s.Env, "TALLY_") && !strings.Contains(msg, s.Allowed) {
				t.Errorf("%q does not say what is allowed (%s)", msg, s.Allowed)
			}
		})
	}
}

func TestGoodSettingsAreParsedAndDefaultsFilled(t *testing.T) {
	clearSettings(t)
	c, err := app.FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DatabaseURL != "sqlite://./tally.db" || !c.Scheduler || c.LogLevel != "info" || c.BodyLimit != "1M" || c.IngestBodyLimit != "8M" ||
		c.RateLimit != 500 || c.ShutdownTimeout.String() != "20s" || c.TestClock || c.Jobs.FinalizeGrace.String() != "24h0m0s" || c.URL != "http://127.0.0.1:8080" ||
		c.ReadHeaderTimeout != 10*time.Second || c.ReadTimeout != time.Minute || c.WriteTimeout != time.Minute || c.IdleTimeout != 2*time.Minute ||
		len(c.CORSOrigins) != 0 {
		t.Errorf("defaults: %+v", c)
	}
	for env, v := range map[string]string{"TALLY_LOG_LEVEL": "WARN", "TALLY_SCHEDULER": "off", "TALLY_TEST_CLOCK": "on", "TALLY_BODY_LIMIT": "512K",
		"TALLY_RATE_LIMIT": "0", "TALLY_FINALIZE_GRACE": "90m", "TALLY_ADDR": ":9090", "TALLY_DATABASE_URL": "postgres://u@h/db", "STRIPE_MAX_RETRIES": "2",
		"TALLY_CORS_ORIGINS": " https://App.example.com/ , http://localhost:3000", "TALLY_IDLE_TIMEOUT": "5s"} {
		t.Setenv(env, v)
	}
	c, err = app.FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if c.LogLevel != "warn" || c.Scheduler || !c.TestClock || !c.Jobs.TestClocks || c.BodyLimit != "512K" || c.RateLimit != 0 ||
		c.Jobs.FinalizeGrace.String() != "1h30m0s" || c.Addr != ":9090" || c.DatabaseURL != "postgres://u@h/db" || c.Stripe.MaxRetries != 2 ||
		strings.Join(c.CORSOrigins, " ") != "https://app.example.com http://localhost:3000" || c.IdleTimeout != 5*time.Second {
		t.Errorf("parsed: %+v", c)
	}
}

func TestMaskShowsNoMoreThanTheLastFourCharacters(t *testing.T) {
	for in, want := range map[string]string{"": "(not set)", "short": "(set)", "sk_live_0123456789abcd": "****abcd"} {
		if got := app.Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}
