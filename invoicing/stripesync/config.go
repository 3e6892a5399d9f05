package stripesync

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Collection methods of Stripe invoices.
const (
	ChargeAutomatically = "charge_automatically"
	SendInvoice         = "send_invoice"
)

// Config is how the Syncer reaches Stripe.
type Config struct {
	// APIKey is the Stripe secret key (STRIPE_API_KEY); empty disables the
	// sync.
	APIKey string
	// APIBase replaces https://api.stripe.com (STRIPE_API_BASE), e.g. to
	// point at stripe-mock.
	APIBase string
	// WebhookSecret is the endpoint's signing secret, whsec_…
	// (STRIPE_WEBHOOK_SECRET); empty refuses every webhook.
	WebhookSecret string
	// MaxRetries is how often a failed call is retried (STRIPE_MAX_RETRIES,
	// default 4); negative means none.
	MaxRetries int
	// RatePerSecond caps calls to Stripe (STRIPE_RATE_PER_SECOND, default 20;
	// Stripe allows 25 in test mode and 100 live).
	RatePerSecond float64

	// CollectionMethod is charge_automatically (default) or send_invoice
	// (STRIPE_COLLECTION_METHOD); DaysUntilDue applies to send_invoice
	// (STRIPE_DAYS_UNTIL_DUE, default 30).
	CollectionMethod string
	DaysUntilDue     int64
	// RequestTimeout bounds one HTTP call (default 30s).
	RequestTimeout time.Duration
	// MinBackoff and MaxBackoff bound the wait between retries (defaults
	// 500ms and 30s); the wait doubles per retry, with jitter.
	MinBackoff time.Duration
	MaxBackoff time.Duration
}

// ConfigFromEnv reads the STRIPE_* settings. Malformed numbers and unknown
// collection methods are errors, not silent defaults.
func ConfigFromEnv() (Config, error) {
	c := Config{
		APIKey:           strings.TrimSpace(os.Getenv("STRIPE_API_KEY")),
		APIBase:          strings.TrimSpace(os.Getenv("STRIPE_API_BASE")),
		WebhookSecret:    strings.TrimSpace(os.Getenv("STRIPE_WEBHOOK_SECRET")),
		CollectionMethod: strings.TrimSpace(os.Getenv("STRIPE_COLLECTION_METHOD")),
	}
	if v := os.Getenv("STRIPE_MAX_RETRIES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return c, fmt.Errorf("STRIPE_MAX_RETRIES must be a whole number, got %q", v)
		}
		if n == 0 {
			n = -1 // zero means none here, not the default
		}
		c.MaxRetries = n
	}
	if v := os.Getenv("STRIPE_RATE_PER_SECOND"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f <= 0 {
			return c, fmt.Errorf("STRIPE_RATE_PER_SECOND must be a positive number, got %q", v)
		}
		c.RatePerSecond = f
	}
	if v := os.Getenv("STRIPE_DAYS_UNTIL_DUE"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return c, fmt.Errorf("STRIPE_DAYS_UNTIL_DUE must be a whole number of days, got %q", v)
		}
		c.DaysUntilDue = n
	}
	switch c.CollectionMethod {
	case "", ChargeAutomatically, SendInvoice:
	default:
		return c, fmt.Errorf("STRIPE_COLLECTION_METHOD must be %s or %s, got %q", ChargeAutomatically, SendInvoice, c.CollectionMethod)
	}
	return c, nil
}

// withDefaults fills the unset fields.
func (c Config) withDefaults() Config {
	if c.MaxRetries == 0 {
		c.MaxRetries = 4
	}
	if c.MaxRetries < 0 {
		c.MaxRetries = 0
	}
	if c.RatePerSecond <= 0 {
		c.RatePerSecond = 20
	}
	if c.CollectionMethod == "" {
		c.CollectionMethod = ChargeAutomatically
	}
	if c.DaysUntilDue <= 0 {
		c.DaysUntilDue = 30
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = 30 * time.Second
	}
	if c.MinBackoff <= 0 {
		c.MinBackoff = 500 * time.Millisecond
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 30 * time.Second
	}
	if c.MaxBackoff < c.MinBackoff {
		c.MaxBackoff = c.MinBackoff
	}
	return c
}
