package budgets

import (
	"context"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/credits"
)

var hundred = decimal.NewFromInt(100)

// Value is what a budget watches in a reading: the spend (Meter "") or its
// meter's quantity, and the kind ("spend" or "usage").
func (b Budget) Value(rd Reading) (decimal.Decimal, string) {
	if b.Meter != "" {
		return rd.Usage[b.Meter], "usage"
	}
	return rd.Spend, "spend"
}

// Percent is how much of the limit a reading has used, in percent (not
// rounded; 100 is the limit): a threshold t is reached once Percent >= t.
func (b Budget) Percent(rd Reading) decimal.Decimal {
	v, _ := b.Value(rd)
	return v.Mul(hundred).Div(b.Limit)
}

// Read returns the customer's live figures at the tenant's now, as
// evaluation sees them (ok false: no open period).
func (s *Service) Read(ctx context.Context, tenantID, customerID string) (Reading, bool, error) {
	ctx, err := s.tenantCtx(ctx, tenantID)
	if err != nil {
		return Reading{}, false, err
	}
	return s.reader.Read(ctx, tenantID, customerID)
}

// CreditLevel is the low-credit rule of one unit's balance: the level at
// or below which credits.low is sent (lowPercent of what was granted),
// whether the balance is there (low) and whether it is spent (exhausted).
// A unit with nothing granted is never low.
func (s *Service) CreditLevel(u credits.UnitBalance) (level decimal.Decimal, low, exhausted bool) {
	pct := s.lowPercent
	if pct <= 0 {
		pct = DefaultCreditsLowPercent
	}
	if !u.Granted.IsPositive() {
		return decimal.Zero, false, false
	}
	level = u.Granted.Mul(decimal.NewFromInt(int64(pct))).Div(hundred)
	return level, !u.Remaining.GreaterThan(level), !u.Remaining.IsPositive()
}
