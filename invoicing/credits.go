package invoicing

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/credits"
	"github.com/tallyhq/tally/customers"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/plans"
	"github.com/tallyhq/tally/plans/rating"
	"github.com/tallyhq/tally/store"
	"gorm.io/gorm"
)

// Credits is what invoicing needs of prepaid credit (credits.Service): the
// grants, and the transactional draw, release, activation and void that
// run inside an invoice's own lifecycle transaction.
type Credits interface {
	List(ctx context.Context, tenantID, customerID string) ([]credits.Grant, error)
	CreateTx(tx *gorm.DB, tenantID, customerID string, cur domain.Currency, in credits.CreateInput, now time.Time, invoiceID string) (credits.Grant, error)
	DrawTx(tx *gorm.DB, tenantID, customerID, invoiceID string, cur domain.Currency, lines []credits.Line, periodEnd, now time.Time) ([]credits.Draw, error)
	ReleaseTx(tx *gorm.DB, invoiceID string, now time.Time) error
	ActivateTx(tx *gorm.DB, invoiceID string, now time.Time) error
	VoidPurchaseTx(tx *gorm.DB, invoiceID string, now time.Time) error
	DueExpiries(ctx context.Context, tenantID string, now time.Time) ([]credits.Due, error)
	RecordExpiryTx(tx *gorm.DB, tenantID, grantID string, pending decimal.Decimal, now time.Time) (credits.Expiry, bool, error)
}

// unitAmount is a rated line's amount in its custom price unit (zero for a
// price in the currency).
func unitAmount(p rating.Price, l rating.Line) decimal.Decimal {
	if p.PriceUnit == "" {
		return decimal.Zero
	}
	return l.UnitAmount
}

// drawsCredit reports whether prepaid credit may pay the invoice: a credit
// purchase is never paid with credit.
func drawsCredit(inv Invoice) bool { return inv.BillingReason != Manual }

// creditLines is what a draw sees of an invoice's lines.
func creditLines(inv Invoice) []credits.Line {
	out := make([]credits.Line, len(inv.Lines))
	for i, l := range inv.Lines {
		cl := credits.Line{Usage: l.Type == plans.Usage, Amount: l.Amount}
		if l.PriceUnit != "" && l.ConversionRate != nil {
			cl.Unit, cl.UnitAmount, cl.Rate = l.PriceUnit, l.UnitAmount, *l.ConversionRate
		}
		out[i] = cl
	}
	return out
}

// applyDraws writes draws onto the invoice's lines and totals:
// credits_applied is their currency value, total = subtotal − it.
func applyDraws(inv *Invoice, draws []credits.Draw) {
	for i := range inv.Lines {
		inv.Lines[i].CreditsApplied, inv.Lines[i].CreditUnits = decimal.Zero, decimal.Zero
	}
	for _, d := range draws {
		l := &inv.Lines[d.Line]
		l.CreditsApplied = l.CreditsApplied.Add(d.Amount)
		if l.PriceUnit != "" && d.Unit == l.PriceUnit {
			l.CreditUnits = l.CreditUnits.Add(d.Units)
		}
	}
	inv.CreditsApplied = credits.Total(draws)
	inv.Total = inv.Subtotal.Sub(inv.CreditsApplied)
}

// drafts lists the customer's drafts that credit would pay, in the order
// they close (period end, then id): the order the balance assumes they
// are finalized in.
func (s *Service) drafts(ctx context.Context, tenantID, customerID string) ([]Invoice, error) {
	var rows []invoiceRow
	if err := s.db.WithContext(ctx).Where("tenant_id = ? AND customer_id = ? AND status = ? AND billing_reason <> ?",
		tenantID, customerID, string(Draft), string(Manual)).Order("period_end, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read drafts: %w", err)
	}
	return s.withLines(ctx, rows)
}

// afterDrafts returns the customer's grants less what its drafts (as
// stored) would draw when finalized, and that pending draw per grant.
func (s *Service) afterDrafts(ctx context.Context, tenantID, customerID string) ([]credits.Grant, map[string]decimal.Decimal, error) {
	grants, err := s.credits.List(ctx, tenantID, customerID)
	if err != nil {
		return nil, nil, err
	}
	pending := map[string]decimal.Decimal{}
	if len(grants) == 0 {
		return grants, pending, nil
	}
	drafts, err := s.drafts(ctx, tenantID, customerID)
	if err != nil {
		return nil, nil, err
	}
	for _, d := range drafts {
		simulate(grants, pending, d)
	}
	return grants, pending, nil
}

// simulate draws inv's credit from grants (in memory) and adds it to
// pending.
func simulate(grants []credits.Grant, pending map[string]decimal.Decimal, inv Invoice) []credits.Draw {
	draws := credits.Plan(grants, creditLines(inv), inv.Currency, inv.Period.End)
	credits.Apply(grants, draws)
	for _, d := range draws {
		pending[d.GrantID] = pending[d.GrantID].Add(d.Units)
	}
	return draws
}

// previewCredits shows on a proposed invoice what the customer's grants
// would pay of it, after its drafts have drawn theirs.
func (s *Service) previewCredits(ctx context.Context, inv *Invoice) error {
	grants, pending, err := s.afterDrafts(ctx, inv.TenantID, inv.CustomerID)
	if err != nil {
		return err
	}
	applyDraws(inv, simulate(grants, pending, *inv))
	return nil
}

// CreditBalance is the customer's credit balance at at (zero: now), per
// unit (pricing.md, "Credits"): granted − drawn by finalized invoices −
// what its drafts (as stored, in the order they close) and then the open
// periods' proposed invoices at at (usage up to at, read from rollups, and
// the next advance fees) would draw, in draw order; 0 once expired or
// voided. The grants and drafts are read once for all open periods. A live
// answer (at zero) may come from the per-customer cache (BalanceCache
// documents why it is never stale). The result must not be modified.
func (s *Service) CreditBalance(ctx context.Context, tenantID, customerID string, at time.Time) ([]credits.UnitBalance, error) {
	ctx = store.PrimaryOnly(ctx) // a balance is cached and alerted on: never from a lagging replica
	now := s.clock.Now(ctx)
	live := at.IsZero() || at.Equal(now)
	if live {
		at = now
		if b, ok := s.balances.get(tenantID, customerID, now); ok {
			return b, nil
		}
	}
	cu, err := s.customers.Get(ctx, tenantID, customerID)
	if err != nil {
		return nil, err
	}
	st := s.balances.stamp(tenantID, cu.ID, cu.ExternalID)
	if !live {
		units, _, err := s.creditBalance(ctx, tenantID, cu.ID, at)
		return units, err
	}
	// Live: share a computation in flight from the same versions (see
	// balanceFlights), unless time alone has changed its answer since.
	units, until, computed, err := s.flights.do(st, now, func() ([]credits.UnitBalance, time.Time, error) {
		return s.creditBalance(context.WithoutCancel(ctx), tenantID, cu.ID, at) // others may wait on it
	})
	if err == nil && !now.Before(until) {
		units, until, err = s.creditBalance(ctx, tenantID, cu.ID, at)
		computed = now
	}
	if err != nil {
		return nil, err
	}
	s.balances.put(st, computed, until, units)
	return units, nil
}

// creditBalance computes the balance at at, and the first instant after
// at when time alone could change it (see BalanceCache).
func (s *Service) creditBalance(ctx context.Context, tenantID, customerID string, at time.Time) ([]credits.UnitBalance, time.Time, error) {
	until := at.Truncate(15 * time.Minute).Add(15 * time.Minute)
	bound := func(t *time.Time) {
		if t != nil && t.After(at) && t.Before(until) {
			until = *t
		}
	}
	actual, err := s.credits.List(ctx, tenantID, customerID)
	if err != nil {
		return nil, time.Time{}, err
	}
	if len(actual) == 0 {
		return []credits.UnitBalance{}, until, nil
	}
	for _, g := range actual {
		bound(g.ExpiresAt)
	}
	grants := append([]credits.Grant(nil), actual...)
	pending := map[string]decimal.Decimal{}
	drafts, err := s.drafts(ctx, tenantID, customerID)
	if err != nil {
		return nil, time.Time{}, err
	}
	for _, d := range drafts {
		simulate(grants, pending, d)
	}
	// Periods that have ended by at but that no invoice run has drafted yet
	// draw like drafts: the balance is what the next invoices will say,
	// whenever the run happens.
	due, err := s.undrafted(ctx, tenantID, customerID, at)
	if err != nil {
		return nil, time.Time{}, err
	}
	for _, d := range due {
		simulate(grants, pending, d)
	}
	open, err := s.openPeriods(ctx, tenantID, customerID, at, bound)
	if err != nil {
		return nil, time.Time{}, err
	}
	sort.SliceStable(open, func(i, j int) bool { return open[i].Period.End.Before(open[j].Period.End) })
	for _, p := range open {
		simulate(grants, pending, p)
	}
	return credits.Summarize(actual, pending, at), until, nil
}

// openPeriods is the proposed invoice at at, without credit, of every
// subscription of the customer active or in trial then; bound is given
// each subscription's start, trial end and end.
func (s *Service) openPeriods(ctx context.Context, tenantID, customerID string, at time.Time, bound func(*time.Time)) ([]Invoice, error) {
	var subs []customers.Subscription
	cursor := ""
	for {
		page, err := s.customers.ListSubscriptions(ctx, tenantID, customers.SubscriptionQuery{CustomerID: customerID}, domain.Page{Limit: domain.MaxPageLimit, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		for _, sub := range page.Data {
			start := sub.StartAt
			bound(&start)
			bound(sub.TrialEnd)
			bound(sub.EndsAt)
			if st := sub.StatusAt(at); st == customers.Active || st == customers.Trialing {
				subs = append(subs, sub)
			}
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	scs, err := s.customers.Contexts(ctx, tenantID, subs)
	if err != nil {
		return nil, err
	}
	out := make([]Invoice, 0, len(scs))
	for _, sc := range scs {
		inv, err := s.proposedBare(ctx, sc, at)
		if err != nil {
			return nil, err
		}
		out = append(out, inv)
	}
	return out, nil
}

// drawCredits draws prepaid credit for an invoice being finalized, inside
// its transaction, and records what each line got.
func (s *Service) drawCredits(tx *gorm.DB, inv *Invoice, now time.Time) error {
	if !drawsCredit(*inv) {
		applyDraws(inv, nil)
		return nil
	}
	draws, err := s.credits.DrawTx(tx, inv.TenantID, inv.CustomerID, inv.ID, inv.Currency, creditLines(*inv), inv.Period.End, now)
	if err != nil {
		return err
	}
	applyDraws(inv, draws)
	for i, l := range inv.Lines {
		if l.CreditsApplied.IsZero() && l.CreditUnits.IsZero() {
			continue
		}
		if err := tx.Model(&lineRow{}).Where("invoice_id = ? AND position = ?", inv.ID, i).
			Updates(map[string]any{"credits_applied": l.CreditsApplied, "credit_units": l.CreditUnits}).Error; err != nil {
			return fmt.Errorf("record line credit: %w", err)
		}
	}
	return nil
}

// settleCredits follows an invoice's move to status to, inside its
// transaction: a void gives back what it drew and voids what is left of
// the grants it sold; a payment makes the grants it sold usable.
func (s *Service) settleCredits(tx *gorm.DB, invoiceID string, to Status, now time.Time) error {
	switch to {
	case Void:
		if err := s.credits.ReleaseTx(tx, invoiceID, now); err != nil {
			return err
		}
		return s.credits.VoidPurchaseTx(tx, invoiceID, now)
	case Paid:
		return s.credits.ActivateTx(tx, invoiceID, now)
	}
	return nil
}

// undrafted computes, without storing them, the invoices an invoice run as
// of at would draft for the customer's subscriptions, in the order they
// close.
func (s *Service) undrafted(ctx context.Context, tenantID, customerID string, at time.Time) ([]Invoice, error) {
	var out []Invoice
	collect := func(_ context.Context, inv Invoice) (bool, error) {
		out = append(out, inv)
		return true, nil
	}
	cursor := ""
	for {
		page, err := s.customers.ListSubscriptions(ctx, tenantID, customers.SubscriptionQuery{CustomerID: customerID}, domain.Page{Limit: domain.MaxPageLimit, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		scs, err := s.customers.Contexts(ctx, tenantID, page.Data)
		if err != nil {
			return nil, err
		}
		for _, sc := range scs {
			if _, _, err := s.invoiceSubscription(ctx, sc, at, "", collect); err != nil {
				return nil, err
			}
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Period.End.Before(out[j].Period.End) })
	return out, nil
}
