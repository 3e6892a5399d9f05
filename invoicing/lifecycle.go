package invoicing

import (
	"context"
	"fmt"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/webhooks"
	"gorm.io/gorm"
)

// The lifecycle: draft → finalized → paid | void | uncollectible, and
// draft → void. A draft is live: recompute (and finalize, which recomputes
// first) rebuilds its lines from the events stored by then, so usage that
// arrived late but before finalization is billed. A finalized invoice is
// frozen; events that arrive later for its period are stored and reported
// (LateEvents), never billed a second time.

// transitions lists the legal moves.
var transitions = map[Status][]Status{
	Draft:     {Finalized, Void},
	Finalized: {Paid, Void, Uncollectible},
	// Uncollectible invoices may still be paid (Stripe allows it).
	Uncollectible: {Paid, Void},
}

func allowed(from, to Status) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// loadRow reads an invoice row inside tx, locked for update on Postgres.
func (s *Service) loadRow(tx *gorm.DB, tenantID, id string) (invoiceRow, error) {
	var r invoiceRow
	q := s.db.Dialect.LockForUpdate(tx.Where("tenant_id = ? AND id = ?", tenantID, id))
	if err := q.Take(&r).Error; err != nil {
		if store.IsNotFound(err) {
			return r, domain.NotFound("invoice", id)
		}
		return r, fmt.Errorf("read invoice: %w", err)
	}
	return r, nil
}

// Recompute rebuilds a draft's lines from the events stored now. Only
// drafts change; anything else is a conflict.
func (s *Service) Recompute(ctx context.Context, tenantID, id string) (Invoice, error) {
	return s.refreshDraft(ctx, tenantID, id, "recomputed", func(*gorm.DB, Invoice) error { return nil })
}

// refreshDraft recomputes a draft's lines (reading outside any
// transaction), then, in one transaction that re-checks under lock that it
// is still a draft, writes them and runs then.
func (s *Service) refreshDraft(ctx context.Context, tenantID, id, verb string, then func(tx *gorm.DB, fresh Invoice) error) (Invoice, error) {
	fresh, err := s.fresh(ctx, tenantID, id)
	if err != nil {
		return Invoice{}, err
	}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		r, err := s.loadRow(tx, tenantID, id)
		if err != nil {
			return err
		}
		if Status(r.Status) != Draft {
			return domain.Conflict("invalid_state", "invoice %s is %s; only a draft can be %s", id, r.Status, verb)
		}
		if err := s.writeLines(tx, fresh); err != nil {
			return err
		}
		return then(tx, fresh)
	})
	s.changed(tenantID, fresh.CustomerID)
	if err != nil {
		return Invoice{}, err
	}
	return s.Get(ctx, tenantID, id)
}

// fresh reads a draft and computes its lines from the events stored now.
// It reads outside any transaction (SQLite has one connection, which a
// transaction would hold); the writer then re-checks the status under lock.
func (s *Service) fresh(ctx context.Context, tenantID, id string) (Invoice, error) {
	inv, err := s.Get(ctx, tenantID, id)
	if err != nil {
		return Invoice{}, err
	}
	if inv.Status != Draft {
		return Invoice{}, domain.Conflict("invalid_state", "invoice %s is %s; only a draft can change", id, inv.Status)
	}
	lines, err := s.linesFor(ctx, inv)
	if err != nil {
		return Invoice{}, err
	}
	if lines != nil {
		inv.Lines = lines
		inv.total()
	}
	return inv, nil
}

// writeLines replaces an invoice's lines and totals inside tx.
func (s *Service) writeLines(tx *gorm.DB, inv Invoice) error {
	_, rows := toRows(inv)
	if err := tx.Where("invoice_id = ?", inv.ID).Delete(&lineRow{}).Error; err != nil {
		return err
	}
	if len(rows) > 0 {
		if err := tx.Create(&rows).Error; err != nil {
			return err
		}
	}
	return tx.Model(&invoiceRow{}).Where("id = ?", inv.ID).Updates(map[string]any{
		"subtotal": inv.Subtotal, "total": inv.Total, "updated_at": s.clock.Now(tx.Statement.Context), "stripe_sync_error": nil}).Error
}

// linesFor computes the lines an invoice of its reason and period holds now;
// nil for reasons that are not recomputed.
func (s *Service) linesFor(ctx context.Context, inv Invoice) ([]Line, error) {
	if inv.BillingReason == Manual {
		return nil, nil // a credit purchase has no subscription to recompute from
	}
	sc, err := s.customers.Load(ctx, inv.TenantID, inv.SubscriptionID)
	if err != nil {
		return nil, err
	}
	c, err := newComposer(ctx, s.usage, sc)
	if err != nil {
		return nil, err
	}
	switch inv.BillingReason {
	case SubscriptionStart:
		return orEmpty(c.opening())
	case Cycle:
		return orEmpty(c.closing(ctx, inv.Period, time.Time{}))
	case Cancel:
		return orEmpty(c.cancel(ctx, inv.Period))
	case PlanChange:
		return orEmpty(s.planChangeLines(ctx, c, inv.Period, time.Time{}))
	}
	return nil, nil
}

func orEmpty(lines []Line, err error) ([]Line, error) {
	if err == nil && lines == nil {
		lines = []Line{}
	}
	return lines, err
}

// Finalize recomputes a draft with the events stored by now, freezes it and
// gives it the tenant's next invoice number. Numbers are gapless and
// increasing per tenant: the counter moves in the same transaction, so a
// failed finalization gives its number back.
func (s *Service) Finalize(ctx context.Context, tenantID, id string) (Invoice, error) {
	return s.refreshDraft(ctx, tenantID, id, "finalized", func(tx *gorm.DB, fresh Invoice) error {
		var last []int64
		if err := tx.Raw(`INSERT INTO invoice_counters (tenant_id, last) VALUES (?, 1)
			ON CONFLICT (tenant_id) DO UPDATE SET last = invoice_counters.last + 1 RETURNING last`, tenantID).Scan(&last).Error; err != nil {
			return fmt.Errorf("next invoice number: %w", err)
		}
		if len(last) != 1 {
			return fmt.Errorf("next invoice number: no row")
		}
		number := fmt.Sprintf("INV-%06d", last[0])
		now := s.clock.Now(ctx)
		// Prepaid credit pays its lines, in this same transaction.
		if err := s.drawCredits(tx, &fresh, now); err != nil {
			return err
		}
		if err := tx.Model(&invoiceRow{}).Where("id = ?", id).Updates(map[string]any{
			"status": string(Finalized), "number": number, "finalized_at": now, "updated_at": now,
			"credits_applied": fresh.CreditsApplied, "total": fresh.Total, "stripe_sync_error": nil}).Error; err != nil {
			return err
		}
		fresh.Status, fresh.Number = Finalized, &number
		return s.EmitInvoiceTx(tx, webhooks.InvoiceFinalized, fresh)
	})
}

// Transition moves an invoice to another status (void, paid,
// uncollectible). Moving to the status it already has is harmless (Stripe
// webhooks are replayed); an illegal move is a conflict.
func (s *Service) Transition(ctx context.Context, tenantID, id string, to Status) (Invoice, error) {
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		r, err := s.loadRow(tx, tenantID, id)
		if err != nil {
			return err
		}
		from := Status(r.Status)
		if from == to {
			return nil
		}
		if !allowed(from, to) {
			return domain.Conflict("invalid_state", "invoice %s is %s; it cannot become %s", id, from, to)
		}
		if err := s.settleCredits(tx, id, to, s.clock.Now(ctx)); err != nil {
			return err
		}
		if err := tx.Model(&invoiceRow{}).Where("id = ?", id).Updates(map[string]any{"status": string(to), "updated_at": s.clock.Now(ctx)}).Error; err != nil {
			return err
		}
		return s.emitTransitionTx(tx, r, to)
	})
	if err != nil {
		return Invoice{}, err
	}
	inv, err := s.Get(ctx, tenantID, id)
	s.changed(tenantID, inv.CustomerID) // the whole tenant if the read failed
	return inv, err
}

// emitTransitionTx reports a move to paid (invoice.paid) or void
// (invoice.voided); uncollectible has no event of its own.
func (s *Service) emitTransitionTx(tx *gorm.DB, r invoiceRow, to Status) error {
	typ := map[Status]string{Paid: webhooks.InvoicePaid, Void: webhooks.InvoiceVoided}[to]
	if typ == "" {
		return nil
	}
	r.Status = string(to)
	inv, err := fromRows(r, nil)
	if err != nil {
		return err
	}
	return s.EmitInvoiceTx(tx, typ, inv)
}

// FinalizeDue finalizes every draft of the tenant ("" : of every tenant)
// whose period ended more than grace before now — the clock's now at ctx,
// so a tenant's test clock riding in ctx (domain.WithNow) decides for it
// (the grace period lets late events in). It returns how many it
// finalized; a failure on one invoice does not stop the others.
func (s *Service) FinalizeDue(ctx context.Context, tenantID string, grace time.Duration) (int, error) {
	cutoff := s.clock.Now(ctx).Add(-grace).UnixMicro()
	var due []struct{ TenantID, ID string }
	q := s.db.WithContext(ctx).Table("invoices").Select("tenant_id, id").Where("status = ? AND period_end <= ?", string(Draft), cutoff)
	if tenantID != "" {
		q = q.Where("tenant_id = ?", tenantID)
	}
	if err := q.Order("tenant_id, id").Scan(&due).Error; err != nil {
		return 0, fmt.Errorf("find due drafts: %w", err)
	}
	n := 0
	var firstErr error
	for _, d := range due {
		if _, err := s.Finalize(ctx, d.TenantID, d.ID); err != nil {
			if domain.KindOf(err) == domain.KindConflict {
				continue // finalized meanwhile by someone else
			}
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		n++
	}
	return n, firstErr
}

// LateEvents counts the events of a finalized invoice's customer, with a
// timestamp in its period, that were received after it was finalized: usage
// stored but not billed, for an admin to review (a credit note or a manual
// invoice), never billed twice.
func (s *Service) LateEvents(ctx context.Context, inv Invoice) (int64, error) {
	if inv.FinalizedAt == nil {
		return 0, nil
	}
	sc, err := s.customers.Get(ctx, inv.TenantID, inv.CustomerID)
	if err != nil {
		return 0, err
	}
	var n int64
	err = s.db.WithContext(ctx).Table("events").
		Where("tenant_id = ? AND customer = ? AND ts >= ? AND ts < ? AND received_at > ?",
			inv.TenantID, sc.ExternalID, micros(inv.Period.Start), micros(inv.Period.End), micros(*inv.FinalizedAt)).
		Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count late events: %w", err)
	}
	return n, nil
}
