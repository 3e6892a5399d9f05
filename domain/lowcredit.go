package domain

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/shopspring/decimal"
)

// DefaultLowCreditPercent is the credits.low level when neither the
// customer nor its tenant sets one: a unit's remaining balance at or below
// 20 % of what was granted in it.
var DefaultLowCreditPercent = decimal.NewFromInt(20)

// LowCreditThreshold is the level at or below which a unit's live credit
// balance is "low" (credits.low). Both forms may be given, as Lago's wallet
// thresholds (absolute credits) and Orb's balance alerts (absolute) or a
// share of the grant do:
//   - Remaining, per unit name ("credits", "USD"): an absolute remaining
//     amount in that unit; it wins for the units it names.
//   - Percent (0 < p < 100): a share of what was granted in the unit, for
//     every unit Remaining does not name.
//
// The zero value sets nothing: the next level down applies (a customer's
// falls back to its tenant's default, the tenant's to
// DefaultLowCreditPercent).
type LowCreditThreshold struct {
	Percent   *decimal.Decimal           `json:"percent,omitempty"`
	Remaining map[string]decimal.Decimal `json:"remaining,omitempty"`
}

// IsZero reports whether the threshold sets nothing.
func (t LowCreditThreshold) IsZero() bool { return t.Percent == nil && len(t.Remaining) == 0 }

// Validate adds every problem under field: a percent strictly between 0 and
// 100, remaining amounts not negative (0: only exhaustion counts) under a
// non-blank unit name of at most 40 characters.
func (t LowCreditThreshold) Validate(p *Problems, field string) {
	if t.Percent != nil && (!t.Percent.IsPositive() || !t.Percent.LessThan(decimal.NewFromInt(100))) {
		p.Add(field+".percent", "must be more than 0 and less than 100")
	}
	units := make([]string, 0, len(t.Remaining))
	for u := range t.Remaining {
		units = append(units, u)
	}
	sort.Strings(units)
	for _, u := range units {
		switch {
		case u == "" || len(u) > 40:
			p.Add(field+".remaining", "unit names are 1 to 40 characters")
		case t.Remaining[u].IsNegative():
			p.Add(fmt.Sprintf("%s.remaining.%s", field, u), "must not be negative")
		}
	}
}

// Or is t, or fallback where t sets nothing at all (the forms are not
// mixed: a customer that sets only Remaining for "credits" gets the
// default percent for its other units, not its tenant's percent).
func (t LowCreditThreshold) Or(fallback LowCreditThreshold) LowCreditThreshold {
	if t.IsZero() {
		return fallback
	}
	return t
}

// Level is the remaining balance of unit at or below which it is low,
// given what was granted in it: the unit's Remaining amount if named, else
// Percent (DefaultLowCreditPercent when unset) of granted.
func (t LowCreditThreshold) Level(unit string, granted decimal.Decimal) decimal.Decimal {
	if r, ok := t.Remaining[unit]; ok {
		return r
	}
	pct := DefaultLowCreditPercent
	if t.Percent != nil {
		pct = *t.Percent
	}
	return granted.Mul(pct).Div(decimal.NewFromInt(100))
}

// EncodeLowCreditThreshold is t as stored (a JSON text; "" for the zero
// value).
func EncodeLowCreditThreshold(t LowCreditThreshold) string {
	if t.IsZero() {
		return ""
	}
	b, _ := json.Marshal(t) // decimals and strings: cannot fail
	return string(b)
}

// DecodeLowCreditThreshold reads what EncodeLowCreditThreshold stored.
func DecodeLowCreditThreshold(s string) (LowCreditThreshold, error) {
	var t LowCreditThreshold
	if s == "" {
		return t, nil
	}
	if err := json.Unmarshal([]byte(s), &t); err != nil {
		return t, fmt.Errorf("low credit threshold %q: %w", s, err)
	}
	return t, nil
}
