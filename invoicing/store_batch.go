package invoicing

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/webhooks"
	"gorm.io/gorm"
)

// rowsPerInsert bounds the rows of one multi-row INSERT (SQLite allows
// 32,766 bound values; an invoice row has 20, a line 18).
const rowsPerInsert = 500

// batchOutbox is an Outbox that records many events at once
// (webhooks.Service.EmitManyTx); any other is given them one at a time.
type batchOutbox interface {
	EmitManyTx(tx *gorm.DB, tenantID string, es []webhooks.Event) ([]string, error)
}

const invoiceColumns = `id, tenant_id, number, status, billing_reason, customer_id, subscription_id, currency,
	period_start, period_end, subtotal, credits_applied, total, note, run_id, stripe_invoice_id, created_at, updated_at, finalized_at, replaces`

const lineColumns = `invoice_id, position, price_key, type, meter, description, quantity, amount, period_start, period_end,
	proration_days, proration_of_days, tiers, price_unit, unit_amount, conversion_rate, credits_applied, credit_units`

// insertManyTx is insertTx for many new invoices of one tenant at once,
// inside tx, in multi-row inserts (on Postgres one INSERT from arrays per
// table, see store_pg.go): each invoice is stored with its lines
// unless its (subscription, reason, period start) slot is already held by
// an invoice that is not void (the unique key decides, so a concurrent run
// cannot store a second one), and every invoice it stores is reported
// (invoice.created) in tx. It returns the ids it stored.
func (s *Service) insertManyTx(tx *gorm.DB, invs []Invoice) (map[string]bool, error) {
	made := make(map[string]bool, len(invs))
	if len(invs) == 0 {
		return made, nil
	}
	if s.db.Dialect == store.Postgres {
		if err := insertInvoicesPG(tx, invs, made); err != nil {
			return nil, fmt.Errorf("store invoices: %w", err)
		}
		stored := storedOf(invs, made)
		if err := insertLinesPG(tx, stored); err != nil {
			return nil, fmt.Errorf("store invoice lines: %w", err)
		}
		return made, s.emitCreated(tx, stored)
	}
	for from := 0; from < len(invs); from += rowsPerInsert {
		chunk := invs[from:min(from+rowsPerInsert, len(invs))]
		var sb strings.Builder
		sb.WriteString("INSERT INTO invoices (" + invoiceColumns + ") VALUES ")
		args := make([]any, 0, 20*len(chunk))
		for i, inv := range chunk {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString("(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
			r, _ := toRows(inv)
			args = append(args, r.ID, r.TenantID, r.Number, r.Status, r.BillingReason, r.CustomerID, r.SubscriptionID, r.Currency,
				r.PeriodStart, r.PeriodEnd, r.Subtotal, r.CreditsApplied, r.Total, r.Note, r.RunID, r.StripeInvoiceID, r.CreatedAt, r.UpdatedAt, r.FinalizedAt, r.Replaces)
		}
		sb.WriteString(" ON CONFLICT (tenant_id, subscription_id, billing_reason, period_start) WHERE status <> 'void' DO NOTHING RETURNING id")
		if err := returnedIDs(tx, sb.String(), args, made); err != nil {
			return nil, fmt.Errorf("store invoices: %w", err)
		}
	}
	stored := storedOf(invs, made)
	if err := insertLines(tx, stored); err != nil {
		return nil, err
	}
	return made, s.emitCreated(tx, stored)
}

// storedOf is the invoices of invs that made holds, in order.
func storedOf(invs []Invoice, made map[string]bool) []Invoice {
	var out []Invoice
	for _, inv := range invs {
		if made[inv.ID] {
			out = append(out, inv)
		}
	}
	return out
}

// insertLines stores the invoices' lines in multi-row inserts.
func insertLines(tx *gorm.DB, invs []Invoice) error {
	var sb strings.Builder
	var args []any
	n := 0
	flush := func() error {
		if n == 0 {
			return nil
		}
		err := tx.Exec(sb.String(), args...).Error
		sb.Reset()
		args, n = args[:0], 0
		if err != nil {
			return fmt.Errorf("store invoice lines: %w", err)
		}
		return nil
	}
	for _, inv := range invs {
		_, lines := toRows(inv)
		for _, l := range lines {
			if n == 0 {
				sb.WriteString("INSERT INTO invoice_lines (" + lineColumns + ") VALUES ")
			} else {
				sb.WriteByte(',')
			}
			sb.WriteString("(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
			args = append(args, l.InvoiceID, l.Position, l.PriceKey, l.Type, l.Meter, l.Description, l.Quantity, l.Amount, l.PeriodStart, l.PeriodEnd,
				l.ProrationDays, l.ProrationOfDays, l.Tiers, l.PriceUnit, l.UnitAmount, l.ConversionRate, l.CreditsApplied, l.CreditUnits)
			if n++; n == rowsPerInsert {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}

// emitCreated reports invoice.created for each invoice in tx, in one
// batch when the outbox takes batches.
func (s *Service) emitCreated(tx *gorm.DB, invs []Invoice) error {
	if s.outbox == nil || len(invs) == 0 {
		return nil
	}
	b, ok := s.outbox.(batchOutbox)
	if !ok {
		for _, inv := range invs {
			if err := s.EmitInvoiceTx(tx, webhooks.InvoiceCreated, inv); err != nil {
				return err
			}
		}
		return nil
	}
	es := make([]webhooks.Event, len(invs))
	for i, inv := range invs {
		es[i] = webhooks.Event{Type: webhooks.InvoiceCreated, CustomerID: inv.CustomerID, Data: invoiceData(inv)}
	}
	_, err := b.EmitManyTx(tx, invs[0].TenantID, es)
	return err
}

// returnedIDs runs an INSERT … RETURNING id and adds the ids to into. It
// reads them through Rows, not Scan: gorm's Scan renders the statement with
// all its arguments for its logger even when the logger is silent.
func returnedIDs(tx *gorm.DB, q string, args []any, into map[string]bool) error {
	rows, err := tx.Raw(q, args...).Rows()
	return readIDs(rows, err, into)
}

// readIDs adds the ids of the rows (a query's result and error) to into.
func readIDs(rows *sql.Rows, err error, into map[string]bool) error {
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return err
		}
		into[id] = true
	}
	return rows.Err()
}

// existingOf is existing for many subscriptions of the tenant at once:
// which (reason, period start) invoices each has, void ones included, as
// existing reads them.
func (s *Service) existingOf(ctx context.Context, tenantID string, subscriptionIDs []string) (map[string]map[key]bool, error) {
	out := make(map[string]map[key]bool, len(subscriptionIDs))
	for from := 0; from < len(subscriptionIDs); from += rowsPerInsert {
		chunk := subscriptionIDs[from:min(from+rowsPerInsert, len(subscriptionIDs))]
		var rows []struct {
			SubscriptionID string
			BillingReason  string
			PeriodStart    int64
		}
		if err := s.db.WithContext(ctx).Table("invoices").Select("subscription_id, billing_reason, period_start").
			Where("tenant_id = ? AND subscription_id IN ?", tenantID, chunk).Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("read invoices: %w", err)
		}
		for _, r := range rows {
			if out[r.SubscriptionID] == nil {
				out[r.SubscriptionID] = map[key]bool{}
			}
			out[r.SubscriptionID][key{Reason(r.BillingReason), r.PeriodStart}] = true
		}
	}
	return out, nil
}
