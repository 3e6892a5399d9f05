package credits

import (
	"sort"
	"time"

	"github.com/shopspring/decimal"
)

// GrantStatus says where a grant stands at an instant.
type GrantStatus string

const (
	StatusActive          GrantStatus = "active"
	StatusAwaitingPayment GrantStatus = "awaiting_payment"
	StatusExpired         GrantStatus = "expired"
	StatusVoided          GrantStatus = "voided"
)

// GrantBalance is one grant's balance at an instant, in its unit:
// Granted = Used + Pending + Expired + Voided + Remaining.
type GrantBalance struct {
	Grant   Grant
	Status  GrantStatus
	Granted decimal.Decimal
	// Used is what finalized invoices drew (net of releases).
	Used decimal.Decimal
	// Pending is what drafts and the open periods' proposed invoices would
	// still draw.
	Pending decimal.Decimal
	// Expired and Voided are what was left when the grant expired or was
	// voided.
	Expired   decimal.Decimal
	Voided    decimal.Decimal
	Remaining decimal.Decimal
}

// UnitBalance sums the grants of one unit.
type UnitBalance struct {
	Unit                                               string
	Granted, Used, Pending, Expired, Voided, Remaining decimal.Decimal
	Grants                                             []GrantBalance
}

// Summarize is the balance at t of grants whose Remaining reflects the
// finalized invoices, given what drafts and open periods would still draw
// from each (pending, by grant id): pricing.md's "granted − drawn by
// finalized invoices − what drafts and open periods would draw, 0 once
// expired or voided". A grant awaiting payment, or not usable yet at t, is
// listed but counts for nothing. Units come in name order, grants in draw
// order.
func Summarize(grants []Grant, pending map[string]decimal.Decimal, t time.Time) []UnitBalance {
	ordered := append([]Grant(nil), grants...)
	Order(ordered)
	by := map[string]*UnitBalance{}
	var units []string
	for _, g := range ordered {
		u, ok := by[g.Unit]
		if !ok {
			z := decimal.Zero
			u = &UnitBalance{Unit: g.Unit, Granted: z, Used: z, Pending: z, Expired: z, Voided: z, Remaining: z, Grants: []GrantBalance{}}
			by[g.Unit] = u
			units = append(units, g.Unit)
		}
		b := grantBalance(g, pending[g.ID], t)
		u.Grants = append(u.Grants, b)
		u.Granted = u.Granted.Add(b.Granted)
		u.Used = u.Used.Add(b.Used)
		u.Pending = u.Pending.Add(b.Pending)
		u.Expired = u.Expired.Add(b.Expired)
		u.Voided = u.Voided.Add(b.Voided)
		u.Remaining = u.Remaining.Add(b.Remaining)
	}
	sort.Strings(units)
	out := make([]UnitBalance, len(units))
	for i, name := range units {
		out[i] = *by[name]
	}
	return out
}

func grantBalance(g Grant, pending decimal.Decimal, t time.Time) GrantBalance {
	z := decimal.Zero
	b := GrantBalance{Grant: g, Status: StatusActive, Granted: z, Used: z, Pending: z, Expired: z, Voided: z, Remaining: z}
	if g.UsableAt == nil || g.UsableAt.After(t) {
		b.Status = StatusAwaitingPayment
		if g.VoidedAt != nil {
			b.Status = StatusVoided
		}
		return b
	}
	b.Granted = g.Amount
	b.Used = g.Amount.Sub(g.Remaining)
	left := g.Remaining
	switch {
	case g.VoidedAt != nil:
		b.Status, b.Voided = StatusVoided, left
	case g.ExpiredAt(t):
		// Drafts closing periods that ended before the expiry may still draw.
		b.Pending = decimal.Min(pending, left)
		b.Status, b.Expired = StatusExpired, left.Sub(b.Pending)
	default:
		b.Pending = decimal.Min(pending, left)
		b.Remaining = left.Sub(b.Pending)
	}
	return b
}
