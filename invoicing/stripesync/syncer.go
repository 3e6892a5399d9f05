package stripesync

import (
	"hash/fnv"
	"log/slog"
	"sync"

	"github.com/stripe/stripe-go/v76/client"
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/invoicing"
	"github.com/tallyhq/tally/store"
	"golang.org/x/time/rate"
)

// Metadata keys Tally writes on Stripe objects.
const (
	mdTenant     = "tally_tenant_id"
	mdCustomer   = "tally_customer_id"
	mdExternal   = "external_id"
	mdInvoice    = "tally_invoice_id"
	mdPosition   = "tally_line_position"
	mdGeneration = "tally_line_generation"
)

// Syncer mirrors invoices in Stripe and applies Stripe's webhooks.
type Syncer struct {
	db      *store.DB
	clock   domain.Clock
	inv     *invoicing.Service
	cs      *customers.Service
	cfg     Config
	log     *slog.Logger
	api     *client.API
	limiter *rate.Limiter
	metrics Metrics
	// locks serialize syncs of one invoice within this process (by hash of
	// its id); across processes the idempotency keys keep Stripe right.
	locks [64]sync.Mutex
}

// New returns a Syncer; with no API key it is disabled (see Enabled).
// metrics (nil: nowhere) receives the Stripe calls' outcomes.
func New(db *store.DB, clock domain.Clock, inv *invoicing.Service, cs *customers.Service, cfg Config, metrics Metrics, log *slog.Logger) *Syncer {
	if log == nil {
		log = slog.Default()
	}
	if clock == nil {
		clock = domain.SystemClock{}
	}
	cfg = cfg.withDefaults()
	if metrics == nil {
		metrics = noMetrics{}
	}
	s := &Syncer{db: db, clock: clock, inv: inv, cs: cs, cfg: cfg, log: log.With(slog.String("component", "stripesync")),
		limiter: newLimiter(cfg.RatePerSecond), metrics: metrics}
	if cfg.APIKey != "" {
		s.api = newAPI(cfg, s.log)
	}
	return s
}

// Enabled reports whether a Stripe API key is configured.
func (s *Syncer) Enabled() bool { return s != nil && s.cfg.APIKey != "" }

// WebhooksEnabled reports whether a webhook signing secret is configured.
func (s *Syncer) WebhooksEnabled() bool { return s != nil && s.cfg.WebhookSecret != "" }

func disabled() error {
	return domain.Conflict("stripe_disabled", "Stripe is not configured (STRIPE_API_KEY is unset); invoices stay unsynced")
}

func (s *Syncer) lockFor(invoiceID string) *sync.Mutex {
	h := fnv.New32a()
	_, _ = h.Write([]byte(invoiceID))
	return &s.locks[h.Sum32()%uint32(len(s.locks))]
}
