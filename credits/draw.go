package credits

import (
	"sort"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
)

// Line is what a draw needs of one invoice line.
type Line struct {
	// Usage is true for a usage line (a grant applying to usage pays only
	// these).
	Usage bool
	// Unit is the line's custom price unit, "" when priced in the currency.
	Unit string
	// UnitAmount is the line's amount in Unit, rounded to 6 places (custom
	// units only).
	UnitAmount decimal.Decimal
	// Rate is the price's conversion_rate (custom units only).
	Rate decimal.Decimal
	// Amount is the line's amount in the currency, rounded to its minor unit.
	Amount decimal.Decimal
}

// Draw is what one grant pays towards one line.
type Draw struct {
	GrantID string
	Unit    string          // the grant's unit
	Line    int             // index into the lines given to Plan
	Units   decimal.Decimal // taken from the grant, in its unit
	Amount  decimal.Decimal // worth, in the currency, rounded to its minor unit
}

// Order sorts grants into draw order: soonest expiry first (no expiry
// last), then priority (1 before 2), then the older grant, then id.
func Order(grants []Grant) {
	sort.SliceStable(grants, func(i, j int) bool {
		a, b := grants[i], grants[j]
		switch {
		case a.ExpiresAt != nil && b.ExpiresAt == nil:
			return true
		case a.ExpiresAt == nil && b.ExpiresAt != nil:
			return false
		case a.ExpiresAt != nil && !a.ExpiresAt.Equal(*b.ExpiresAt):
			return a.ExpiresAt.Before(*b.ExpiresAt)
		case a.Priority != b.Priority:
			return a.Priority < b.Priority
		case !a.CreatedAt.Equal(b.CreatedAt):
			return a.CreatedAt.Before(b.CreatedAt)
		}
		return a.ID < b.ID
	})
}

// Plan decides, without changing anything, which grants pay how much of
// which lines of an invoice in currency cur closing a period that ends at
// periodEnd (pricing.md, "Credits"):
//
//   - Only grants that pay a period ending then (PaysPeriodEnding) draw, in
//     Order; each pays every line it may before the next grant is drawn.
//   - applies_to usage pays usage lines only; all pays any line.
//   - A grant in the currency pays lines in money (a custom-unit line too,
//     at its currency amount); what it holds is floored to the minor unit,
//     so it never pays more than it holds.
//   - A custom-unit grant pays only lines priced in that same unit, measured
//     in it: a line of 250 credits draws 250 credits, worth the line's
//     currency amount. Paying part of a line, n units are worth n × the
//     line's rate rounded to the currency; the last draw that completes a
//     line takes exactly what is left of its currency amount, so the parts
//     add up to the line.
//   - Lines of zero or negative amount are not paid, and the draws never add
//     up to more than the lines' total (a negative line, such as a
//     proration credit, lowers what credit may pay).
func Plan(grants []Grant, lines []Line, cur domain.Currency, periodEnd time.Time) []Draw {
	room := decimal.Zero
	for _, l := range lines {
		room = room.Add(l.Amount)
	}
	if !room.IsPositive() {
		return nil
	}
	usable := make([]Grant, 0, len(grants))
	for _, g := range grants {
		if g.PaysPeriodEnding(periodEnd) {
			usable = append(usable, g)
		}
	}
	Order(usable)
	paidMoney := make([]decimal.Decimal, len(lines)) // currency covered per line
	paidUnits := make([]decimal.Decimal, len(lines)) // units covered by custom grants
	byMoney := make([]decimal.Decimal, len(lines))   // currency covered by money grants
	for i := range lines {
		paidMoney[i], paidUnits[i], byMoney[i] = decimal.Zero, decimal.Zero, decimal.Zero
	}
	places := cur.MinorUnits()
	var out []Draw
	for _, g := range usable {
		left := g.Remaining
		money := g.IsMoney(cur)
		if money {
			left = left.RoundFloor(places)
		}
		for i, l := range lines {
			if !left.IsPositive() || !room.IsPositive() {
				break
			}
			if !l.Amount.IsPositive() || (g.AppliesTo != AppliesAll && !l.Usage) {
				continue
			}
			owed := l.Amount.Sub(paidMoney[i])
			if !owed.IsPositive() {
				continue
			}
			var units, amount decimal.Decimal
			if money {
				amount = decimal.Min(left, owed, room)
				units = amount
			} else {
				if l.Unit != g.Unit {
					continue
				}
				need := l.UnitAmount.Sub(paidUnits[i]).Sub(byMoney[i].DivRound(l.Rate, UnitPlaces))
				if !need.IsPositive() {
					continue
				}
				units = decimal.Min(left, need)
				if units.Equal(need) {
					amount = owed
				} else {
					amount = decimal.Min(cur.Round(units.Mul(l.Rate)), owed)
				}
				if amount.GreaterThan(room) {
					units = room.Div(l.Rate).RoundFloor(UnitPlaces)
					amount = decimal.Min(cur.Round(units.Mul(l.Rate)), room)
				}
				paidUnits[i] = paidUnits[i].Add(units)
			}
			if !units.IsPositive() {
				continue
			}
			if money {
				byMoney[i] = byMoney[i].Add(amount)
			}
			paidMoney[i] = paidMoney[i].Add(amount)
			room = room.Sub(amount)
			left = left.Sub(units)
			out = append(out, Draw{GrantID: g.ID, Unit: g.Unit, Line: i, Units: units, Amount: amount})
		}
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

// ByGrant sums the draws per grant (units and amount), in first-draw order.
func ByGrant(draws []Draw) []Draw {
	var out []Draw
	at := map[string]int{}
	for _, d := range draws {
		i, ok := at[d.GrantID]
		if !ok {
			at[d.GrantID] = len(out)
			out = append(out, Draw{GrantID: d.GrantID, Unit: d.Unit, Line: -1, Units: decimal.Zero, Amount: decimal.Zero})
			i = len(out) - 1
		}
		out[i].Units = out[i].Units.Add(d.Units)
		out[i].Amount = out[i].Amount.Add(d.Amount)
	}
	return out
}

// Apply subtracts draws from the grants' Remaining (a simulation: pending
// draws of drafts and proposed invoices).
func Apply(grants []Grant, draws []Draw) {
	for _, d := range draws {
		for i := range grants {
			if grants[i].ID == d.GrantID {
				grants[i].Remaining = grants[i].Remaining.Sub(d.Units)
			}
		}
	}
}
