package budgets

import (
	"context"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/credits"
	"github.com/tallyhq/tally/domain"
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

// CreditLevel returns the low-credit level that applies to the customer at
// the tenant's now: its own low_credit_threshold, else its tenant's
// default, else domain.DefaultLowCreditPercent (the zero value). Pair it
// with UnitCreditLevel per unit; evaluation uses the same two.
func (s *Service) CreditLevel(ctx context.Context, tenantID, customerID string) (domain.LowCreditThreshold, error) {
	if s.levels == nil {
		return domain.LowCreditThreshold{}, nil
	}
	ctx, err := s.tenantCtx(ctx, tenantID)
	if err != nil {
		return domain.LowCreditThreshold{}, err
	}
	level, _, err := s.levels.CreditLevel(ctx, tenantID, customerID)
	return level, err
}

// UnitCreditLevel is the low-credit rule of one unit's balance under the
// customer's level: the balance at or below which credits.low is sent,
// whether the balance is there (low) and whether it is spent (exhausted).
// A unit with nothing granted is never low.
func UnitCreditLevel(level domain.LowCreditThreshold, u credits.UnitBalance) (at decimal.Decimal, low, exhausted bool) {
	if !u.Granted.IsPositive() {
		return decimal.Zero, false, false
	}
	at = level.Level(u.Unit, u.Granted)
	return at, !u.Remaining.GreaterThan(at), !u.Remaining.IsPositive()
}
