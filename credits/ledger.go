package credits

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
)

// EntryKind names what a ledger entry records.
type EntryKind string

const (
	// KindGrant adds a grant's amount once it is usable (at once for a free
	// grant or one usable immediately; at payment for a purchase).
	KindGrant EntryKind = "grant"
	// KindDraw takes what a finalized invoice drew.
	KindDraw EntryKind = "draw"
	// KindRelease gives a voided invoice's draw back.
	KindRelease EntryKind = "release"
	// KindVoid takes what was left of a voided grant.
	KindVoid EntryKind = "void"
	// KindExpiry takes what is left of a grant whose expires_at has passed.
	// The expiry job stores it (RecordExpiryTx, with credits.expired) at
	// expires_at: what was left less what drafts and periods closed before
	// the expiry may still draw (pricing.md), so those draws follow it and
	// the running balance never dips below zero. Until the job has run, and
	// for anything such a draw leaves over, it is derived instead: placed at
	// expires_at, or after the grant's last stored entry if one came later.
	KindExpiry EntryKind = "expiry"
)

// Entry is one line of a customer's credit ledger. Units and Amount are
// signed (+ adds credit); Balance is the running balance of Unit after it.
type Entry struct {
	ID        string
	GrantID   string
	Unit      string
	Kind      EntryKind
	InvoiceID string
	Units     decimal.Decimal
	// Amount is the currency value: what an invoice drew or got back, or
	// the units at the grant's conversion_rate.
	Amount  decimal.Decimal
	At      time.Time
	Balance decimal.Decimal
}

// Ledger lists a customer's ledger at now, oldest first (by instant, then
// id), with a running balance per unit, one page at a time; the cursor is
// an entry id. Expiry entries appear once now has reached a grant's
// expires_at (stored by the expiry job, or derived until it runs). The sum of a grant's entries is what Balance reports for it,
// less what drafts and open periods would still draw.
func (s *Service) Ledger(ctx context.Context, tenantID, customerID string, now time.Time, page domain.Page) (domain.List[Entry], error) {
	page, err := page.Normalize()
	if err != nil {
		return domain.List[Entry]{}, err
	}
	grants, err := s.List(ctx, tenantID, customerID)
	if err != nil {
		return domain.List[Entry]{}, err
	}
	var rows []ledgerRow
	if err := s.db.WithContext(ctx).Where("tenant_id = ? AND customer_id = ?", tenantID, customerID).Order("at, id").Find(&rows).Error; err != nil {
		return domain.List[Entry]{}, fmt.Errorf("read credit ledger: %w", err)
	}
	entries := entriesOf(grants, rows, now)
	start := 0
	if page.Cursor != "" {
		start = -1
		for i, e := range entries {
			if e.ID == page.Cursor {
				start = i + 1
			}
		}
		if start < 0 {
			return domain.List[Entry]{}, domain.Invalid("cursor", "unknown cursor %q", page.Cursor)
		}
	}
	return domain.PageOf(entries[start:], page.Limit, func(e Entry) string { return e.ID }), nil
}

// entriesOf turns stored rows into entries, adds the derived expiries (of
// what an expired grant's stored entries still leave) and computes running
// balances.
func entriesOf(grants []Grant, rows []ledgerRow, now time.Time) []Entry {
	byID := map[string]Grant{}
	for _, g := range grants {
		byID[g.ID] = g
	}
	sum := map[string]decimal.Decimal{}
	last := map[string]time.Time{}
	entries := make([]Entry, 0, len(rows))
	for _, r := range rows {
		g := byID[r.GrantID]
		e := Entry{ID: r.ID, GrantID: r.GrantID, Unit: r.Unit, Kind: EntryKind(r.Kind), Units: r.Units, At: time.UnixMicro(r.At).UTC()}
		if r.InvoiceID != nil {
			e.InvoiceID = *r.InvoiceID
		}
		e.Amount = r.Units.Mul(g.ConversionRate)
		if r.Amount.Valid {
			e.Amount = r.Amount.Decimal
		}
		entries = append(entries, e)
		sum[r.GrantID] = sum[r.GrantID].Add(r.Units)
		if e.At.After(last[r.GrantID]) {
			last[r.GrantID] = e.At
		}
	}
	for _, g := range grants {
		left := sum[g.ID]
		if g.VoidedAt != nil || g.UsableAt == nil || !g.ExpiredAt(now) || !left.IsPositive() {
			continue
		}
		at := *g.ExpiresAt
		if last[g.ID].After(at) {
			at = last[g.ID]
		}
		entries = append(entries, Entry{ID: "cle_expiry_" + g.ID, GrantID: g.ID, Unit: g.Unit, Kind: KindExpiry, Units: left.Neg(),
			Amount: left.Neg().Mul(g.ConversionRate), At: at})
	}
	sort.SliceStable(entries, func(i, j int) bool {
		if !entries[i].At.Equal(entries[j].At) {
			return entries[i].At.Before(entries[j].At)
		}
		return entries[i].ID < entries[j].ID
	})
	run := map[string]decimal.Decimal{}
	for i := range entries {
		run[entries[i].Unit] = run[entries[i].Unit].Add(entries[i].Units)
		entries[i].Balance = run[entries[i].Unit]
	}
	return entries
}
