package credits

import (
	"sort"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
)

// Draw is what one grant pays towards an invoice.
type Draw struct {
	GrantID string
	Units   decimal.Decimal // taken from the grant, in its unit
	Amount  decimal.Decimal // worth, in the currency, rounded to its minor unit
}

// Plan decides which grants pay how much of an amount due (in the
// currency) at t, in draw order, without changing anything. The total of
// the draws never exceeds due.
func Plan(grants []Grant, due decimal.Decimal, cur domain.Currency, t time.Time) []Draw {
	due = cur.Round(due)
	if !due.IsPositive() {
		return nil
	}
	usable := make([]Grant, 0, len(grants))
	for _, g := range grants {
		if g.Usable(t) {
			usable = append(usable, g)
		}
	}
	sort.SliceStable(usable, func(i, j int) bool {
		a, b := usable[i], usable[j]
		switch {
		case a.ExpiresAt != nil && b.ExpiresAt == nil:
			return true
		case a.ExpiresAt == nil && b.ExpiresAt != nil:
			return false
		case a.ExpiresAt != nil && !a.ExpiresAt.Equal(*b.ExpiresAt):
			return a.ExpiresAt.Before(*b.ExpiresAt)
		case a.Priority != b.Priority:
			return a.Priority < b.Priority
		}
		return a.CreatedAt.Before(b.CreatedAt)
	})
	var out []Draw
	for _, g := range usable {
		if !due.IsPositive() {
			break
		}
		// What the grant is worth, rounded down to the minor unit so that
		// it never pays more than it holds.
		worth := g.Value().RoundFloor(cur.MinorUnits())
		amount := decimal.Min(worth, due)
		if !amount.IsPositive() {
			continue
		}
		units := amount.DivRound(g.ConversionRate, 12)
		if units.GreaterThan(g.Remaining) {
			units = g.Remaining
		}
		out = append(out, Draw{GrantID: g.ID, Units: units, Amount: amount})
		due = due.Sub(amount)
	}
	return out
}

// Total sums the draws' currency amounts.
func Total(draws []Draw) decimal.Decimal {
	sum := decimal.Zero
	for _, d := range draws {
		sum = sum.Add(d.Amount)
	}
	return sum
}
