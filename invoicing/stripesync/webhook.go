package stripesync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/invoicing"
	"github.com/tallyhq/tally/webhooks"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// HandleWebhook verifies a Stripe event delivery (the raw body and its
// Stripe-Signature header) and applies it. A missing or wrong signature, or
// one older than Stripe's 5-minute tolerance, is domain.Unauthorized; a
// signed body that is not an event is domain.Malformed. Events already
// applied, events of other kinds, invoices Tally does not know and moves the
// lifecycle forbids are acknowledged (nil) and change nothing. Only a
// failure to store the outcome is returned as an error, so that Stripe
// delivers the event again.
func (s *Syncer) HandleWebhook(ctx context.Context, payload []byte, sigHeader string) error {
	if !s.WebhooksEnabled() {
		return domain.Conflict("stripe_webhooks_disabled", "Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET is unset)")
	}
	ev, err := webhook.ConstructEventWithOptions(payload, sigHeader, s.cfg.WebhookSecret,
		webhook.ConstructEventOptions{IgnoreAPIVersionMismatch: true})
	if err != nil {
		switch {
		case errors.Is(err, webhook.ErrNotSigned):
			return domain.Unauthorized("missing Stripe-Signature header")
		case errors.Is(err, webhook.ErrInvalidHeader), errors.Is(err, webhook.ErrNoValidSignature):
			return domain.Unauthorized("the Stripe-Signature header does not match the body and the endpoint secret")
		case errors.Is(err, webhook.ErrTooOld):
			return domain.Unauthorized("the Stripe-Signature timestamp is too old (a delayed or replayed delivery)")
		}
		return domain.Malformed("the webhook body is not a Stripe event: %v", err)
	}
	if ev.ID == "" || ev.Data == nil || ev.Data.Object == nil {
		return domain.Malformed("the webhook body is not a Stripe event: it has no id or data.object")
	}
	log := s.log.With(slog.String("event_id", ev.ID), slog.String("event_type", string(ev.Type)))
	var n int64
	if err := s.db.WithContext(ctx).Model(&eventRow{}).Where("id = ?", ev.ID).Count(&n).Error; err != nil {
		return fmt.Errorf("read stripe events: %w", err)
	}
	if n > 0 {
		log.Info("stripe event already applied; replay ignored")
		return nil
	}
	switch ev.Type {
	case "invoice.paid", "invoice.payment_succeeded":
		err = s.applyStatus(ctx, log, ev, invoicing.Paid)
	case "invoice.voided":
		err = s.applyStatus(ctx, log, ev, invoicing.Void)
	case "invoice.marked_uncollectible":
		err = s.applyStatus(ctx, log, ev, invoicing.Uncollectible)
	case "invoice.payment_failed":
		err = s.recordPaymentFailure(ctx, log, ev)
	default:
		log.Debug("stripe event of a kind Tally does not use; ignored")
	}
	if err != nil {
		return err
	}
	// Recorded after it was applied: a crash in between means Stripe
	// delivers it again, and applying it twice is harmless.
	row := eventRow{ID: ev.ID, Type: string(ev.Type), ReceivedAt: s.clock.Now(ctx)}
	if err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
		return fmt.Errorf("record stripe event: %w", err)
	}
	return nil
}

// invoiceOf finds the Tally invoice an event's invoice object mirrors: by
// its Stripe id, or else by the tally_* metadata Tally put on it (a Stripe
// invoice whose creation was never recorded). ok is false for invoices
// Tally does not know.
func (s *Syncer) invoiceOf(ctx context.Context, obj map[string]any) (inv invoicing.Invoice, sid string, ok bool, err error) {
	sid, _ = obj["id"].(string)
	if sid == "" {
		return inv, sid, false, nil
	}
	inv, err = s.inv.ByStripeInvoice(ctx, sid)
	if err == nil {
		return inv, sid, true, nil
	}
	if domain.KindOf(err) != domain.KindNotFound {
		return inv, sid, false, err
	}
	md, _ := obj["metadata"].(map[string]any)
	id, _ := md[mdInvoice].(string)
	tenantID, _ := md[mdTenant].(string)
	if id == "" || tenantID == "" {
		return inv, sid, false, nil
	}
	inv, err = s.inv.Get(ctx, tenantID, id)
	if domain.KindOf(err) == domain.KindNotFound {
		return inv, sid, false, nil
	}
	if err != nil {
		return inv, sid, false, err
	}
	if inv.StripeInvoiceID != nil && *inv.StripeInvoiceID != sid {
		return inv, sid, false, nil // another Stripe invoice mirrors it
	}
	return inv, sid, true, nil
}

func (s *Syncer) applyStatus(ctx context.Context, log *slog.Logger, ev stripe.Event, to invoicing.Status) error {
	inv, sid, ok, err := s.invoiceOf(ctx, ev.Data.Object)
	if err != nil {
		return err
	}
	if !ok {
		log.Info("stripe event for an invoice Tally does not know; ignored", slog.String("stripe_invoice_id", sid))
		return nil
	}
	log = log.With(slog.String("tenant_id", inv.TenantID), slog.String("invoice_id", inv.ID))
	if _, err := s.inv.Transition(ctx, inv.TenantID, inv.ID, to); err != nil {
		switch domain.KindOf(err) {
		case domain.KindConflict, domain.KindNotFound:
			// A move the lifecycle forbids (a late or out-of-order event):
			// acknowledged, so Stripe stops sending it, and logged.
			log.Warn("stripe event not applied", slog.String("to", string(to)), slog.String("from", string(inv.Status)), slog.Any("reason", err))
			return nil
		}
		return err
	}
	if inv.Status != to {
		log.Info("invoice status set by stripe", slog.String("from", string(inv.Status)), slog.String("to", string(to)))
	}
	return nil
}

// recordPaymentFailure notes a failed payment attempt. The invoice stays
// finalized: Stripe retries the payment (Smart Retries), and ends in
// invoice.paid, invoice.marked_uncollectible or invoice.voided.
func (s *Syncer) recordPaymentFailure(ctx context.Context, log *slog.Logger, ev stripe.Event) error {
	obj := ev.Data.Object
	inv, sid, ok, err := s.invoiceOf(ctx, obj)
	if err != nil {
		return err
	}
	if !ok {
		log.Info("stripe payment failure for an invoice Tally does not know; ignored", slog.String("stripe_invoice_id", sid))
		return nil
	}
	num := func(k string) int64 {
		f, _ := obj[k].(float64)
		return int64(f)
	}
	f := PaymentFailure{EventID: ev.ID, TenantID: inv.TenantID, InvoiceID: inv.ID, StripeInvoiceID: sid,
		AttemptCount: int(num("attempt_count")), AmountDueMinor: num("amount_due"), ReceivedAt: s.clock.Now(ctx)}
	if next := num("next_payment_attempt"); next > 0 {
		t := time.Unix(next, 0).UTC()
		f.NextAttemptAt = &t
	}
	// The first record of a failure reports it (invoice.payment_failed) in
	// the same transaction; a replayed Stripe event reports nothing.
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&f)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		return s.inv.EmitInvoiceTx(tx, webhooks.InvoicePaymentFailed, inv)
	})
	if err != nil {
		return fmt.Errorf("record stripe payment failure: %w", err)
	}
	attrs := []any{slog.String("tenant_id", inv.TenantID), slog.String("invoice_id", inv.ID), slog.String("stripe_invoice_id", sid),
		slog.Int("attempt_count", f.AttemptCount)}
	if f.NextAttemptAt != nil {
		attrs = append(attrs, slog.Time("next_attempt_at", *f.NextAttemptAt))
	}
	log.Warn("stripe payment failed; the invoice stays finalized while Stripe retries", attrs...)
	return nil
}

// PaymentFailures lists an invoice's failed payment attempts, oldest first.
func (s *Syncer) PaymentFailures(ctx context.Context, tenantID, invoiceID string) ([]PaymentFailure, error) {
	var out []PaymentFailure
	if err := s.db.WithContext(ctx).Where("tenant_id = ? AND invoice_id = ?", tenantID, invoiceID).
		Order("received_at, event_id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("read stripe payment failures: %w", err)
	}
	return out, nil
}
