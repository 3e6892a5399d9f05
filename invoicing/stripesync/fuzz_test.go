package stripesync_test

import (
	"context"
	"testing"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/invoicing/stripesync"
)

// FuzzStripeSignature: Stripe webhook verification refuses, as 401 and
// before touching the store (the syncer has none here: a store access
// would panic), every fuzzed header, a signature by another secret, a
// signed body changed after signing, and a signature older than 5 minutes.
func FuzzStripeSignature(f *testing.F) {
	body := event("evt_1", "invoice.paid", "in_1", nil)
	f.Add(body, "", byte(0))
	f.Add(body, "t=1773050400,v1=deadbeef", byte(1))
	f.Add([]byte(`{}`), "t=,v1=", byte(2))
	f.Add([]byte(`not json`), "v1=00,t=1,t=2,v0=3", byte(255))
	s := stripesync.New(nil, nil, nil, nil, stripesync.Config{WebhookSecret: webhookSecret}, nil, nil)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, payload []byte, header string, flip byte) {
		refused := func(what, h string, p []byte) {
			t.Helper()
			err := s.HandleWebhook(ctx, p, h)
			if domain.KindOf(err) != domain.KindUnauthorized {
				t.Fatalf("%s (header %q): %v, want unauthorized", what, h, err)
			}
		}
		refused("a fuzzed header", header, payload)
		refused("another secret", sign(payload, webhookSecret+"x", time.Now()), payload)
		refused("a changed body", sign(payload, webhookSecret, time.Now()), append([]byte{flip}, payload...))
		refused("a 6-minute-old signature", sign(payload, webhookSecret, time.Now().Add(-6*time.Minute)), payload)
	})
}
