package rating

import (
	"fmt"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
)

// describe writes the one line a person checks a Line by:
//
//	Flat fee $19.00 × 20/31 days
//	50,000 executions × $0.001
//	60,000 executions - 10,000 free = 50,000 × $0.001
//	5,500,000 tokens = 6 packages of 1,000,000 × $15.00
//	25,000 calls in 3 tiers
//	25,000 calls in tier 2 of 3 (volume)
//	50 calls × $0.01, raised to the minimum $10.00 × 20/31 days
//	50,000 executions × 0.02 credits = 1,000 credits × $0.01
//
// The tier lines carry a tiered price's breakdown.
func describe(p Price, l Line, q quantities, cur domain.Currency, pr Proration) string {
	var s string
	switch p.Model {
	case ModelFlat:
		s = "Flat fee " + formatPrice(p, cur, p.Amount) + days(pr)
	default:
		s = describeQuantity(p, l, q)
		switch {
		case p.Model != ModelTiered:
			s += " × " + formatPrice(p, cur, p.Amount)
		case p.tierMode() == ModeVolume && len(l.Tiers) == 1:
			s += fmt.Sprintf(" in tier %d of %d (volume)", l.Tiers[0].Tier+1, len(p.Tiers))
		default:
			n := decimal.NewFromInt(int64(len(l.Tiers)))
			s += " in " + plural(n, n.String(), "tier")
		}
	}
	if l.MinimumApplied {
		s += ", raised to the minimum " + formatPrice(p, cur, *p.MinimumAmount) + days(pr)
	}
	if p.PriceUnit != "" {
		s += " = " + formatUnits(p.PriceUnit, l.UnitAmount) + " × " + formatMoney(cur, *p.ConversionRate)
	}
	return s
}

// describeQuantity writes the quantity and its transform: free units, a
// negative quantity counted as zero, packages.
func describeQuantity(p Price, l Line, q quantities) string {
	s := formatNumber(l.Quantity) + " " + p.unit()
	switch {
	case p.FreeUnits.Sign() > 0:
		s += " - " + formatNumber(p.FreeUnits) + " free = " + formatNumber(q.afterFree)
	case !q.afterFree.Equal(l.Quantity):
		s += " counted as " + formatNumber(q.afterFree)
	}
	if p.PackageSize != nil {
		s += " = " + plural(q.billable, formatApprox(q.billable), "package") + " of " + formatNumber(*p.PackageSize)
	}
	return s
}

// days writes a proration (" × 20/31 days"), or nothing when it is full.
func days(pr Proration) string {
	if pr.Full() {
		return ""
	}
	return fmt.Sprintf(" × %d/%d days", pr.Days, pr.OfDays)
}
