package credits

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"
)

// Due is a grant whose expiry has passed at an instant and is not
// recorded yet.
type Due struct {
	GrantID, CustomerID string
}

// DueExpiries lists the tenant's grants whose expires_at is at or before
// now, usable, not voided and with something left, that have no stored
// expiry entry yet: what RecordExpiryTx still has to record. Customers come
// in id order.
func (s *Service) DueExpiries(ctx context.Context, tenantID string, now time.Time) ([]Due, error) {
	var rows []struct {
		GrantID, CustomerID string
		Remaining           decimal.Decimal
	}
	err := s.db.WithContext(ctx).Table("credit_grants g").Select("g.id AS grant_id, g.customer_id, g.remaining").
		Where("g.tenant_id = ? AND g.expires_at IS NOT NULL AND g.expires_at <= ? AND g.usable_at IS NOT NULL AND g.voided_at IS NULL", tenantID, now.UnixMicro()).
		Where("NOT EXISTS (SELECT 1 FROM credit_ledger l WHERE l.grant_id = g.id AND l.kind = ?)", string(KindExpiry)).
		Order("g.customer_id, g.id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("find due credit expiries: %w", err)
	}
	var out []Due
	for _, r := range rows {
		if r.Remaining.IsPositive() {
			out = append(out, Due{GrantID: r.GrantID, CustomerID: r.CustomerID})
		}
	}
	return out, nil
}

// Expiry is a recorded expiry: the grant, what of it expired (in its unit
// and in money at its conversion rate) and when.
type Expiry struct {
	Grant Grant
	Units decimal.Decimal
	Value decimal.Decimal
	At    time.Time
}

// RecordExpiryTx stores the expiry entry of an expired grant inside the
// caller's transaction, with the grant locked: what is left of it less
// pending, what drafts and periods that closed before the expiry would
// still draw (pricing.md: such an invoice may still draw from it; the
// caller computes it, as for the balance). The entry is placed at the
// grant's expires_at; its units are never more than what is left, so the
// running balance never dips below zero. ok is false, and nothing is
// written, when the grant is voided, not usable, not expired at now, its
// expiry is recorded already (at most one per grant: a unique index), or
// nothing would expire (all of what is left is pending: a later call,
// once those drafts are final, records what they left). What drafts draw
// less than pending after a recorded expiry stays derived (see Ledger).
func (s *Service) RecordExpiryTx(tx *gorm.DB, tenantID, grantID string, pending decimal.Decimal, now time.Time) (Expiry, bool, error) {
	rows, err := s.lock(tx.Where("tenant_id = ? AND id = ?", tenantID, grantID))
	if err != nil || len(rows) == 0 {
		return Expiry{}, false, err
	}
	g, err := rows[0].toGrant()
	if err != nil {
		return Expiry{}, false, err
	}
	if g.VoidedAt != nil || g.UsableAt == nil || !g.ExpiredAt(now) {
		return Expiry{}, false, nil
	}
	var n int64
	if err := tx.Model(&ledgerRow{}).Where("grant_id = ? AND kind = ?", g.ID, string(KindExpiry)).Count(&n).Error; err != nil {
		return Expiry{}, false, fmt.Errorf("read credit expiry: %w", err)
	}
	if n > 0 {
		return Expiry{}, false, nil
	}
	units := g.Remaining.Sub(decimal.Max(decimal.Zero, pending))
	if !units.IsPositive() {
		return Expiry{}, false, nil
	}
	at := *g.ExpiresAt
	if err := addEntry(tx, g, KindExpiry, "", units.Neg(), nil, at); err != nil {
		return Expiry{}, false, err
	}
	return Expiry{Grant: g, Units: units, Value: units.Mul(g.ConversionRate), At: at}, true, nil
}
