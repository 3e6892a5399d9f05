package portal

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/invoicing"
	"github.com/tallyhq/tally/plans"
	"github.com/tallyhq/tally/plans/rating"
	"github.com/tallyhq/tally/web/ui"
)

// Money is an amount as shown (Text, in the reader's locale) and as the
// API writes it (Exact, the currency's decimal string).
type Money struct {
	Text, Exact string
}

// formatter writes amounts and quantities for one reader.
type formatter struct {
	cur    domain.Currency
	locale string
	zone   string
}

func (f formatter) money(d decimal.Decimal) Money {
	return Money{Text: ui.Money(d, string(f.cur), f.locale), Exact: f.cur.Format(d)}
}

// price writes a unit price exactly (never rounded: "$0.0025").
func (f formatter) price(d decimal.Decimal) string { return ui.Money(d, string(f.cur), f.locale) }

func (f formatter) qty(d decimal.Decimal) string { return ui.Quantity(d, f.locale) }

// lineView is one invoice line for a person: what it is, the engine's own
// arithmetic (Math), the amount, and sentences that explain it.
type lineView struct {
	Title    string
	Math     string
	Quantity string
	Amount   Money
	Explain  []string
	Tiers    []tierView
	After    []string // said after the tiers: proration, custom units, credit
}

type tierView struct {
	Name, Quantity, Price, Amount string
}

// explainLine turns a line into words, with its price (ok false: the plan
// no longer has it, and only the line's own figures are explained).
func explainLine(f formatter, l invoicing.Line, period domain.Period, price plans.Price, ok bool, unitName string) lineView {
	v := lineView{Title: titleOf(l, unitName), Math: l.Description, Quantity: f.qty(l.Quantity), Amount: f.money(l.Amount)}
	say := func(format string, args ...any) { v.Explain = append(v.Explain, fmt.Sprintf(format, args...)) }
	unit := unitName
	if unit == "" {
		unit = "units"
	}
	r := price.Rating
	switch {
	case strings.HasPrefix(l.Description, "Credit for unused time"):
		say("A credit for the part of the period you will not use.")
	case l.Type == plans.Fixed && !l.Period.Start.Equal(period.Start):
		say("A fixed fee, billed in advance for %s – %s.", ui.Date(l.Period.Start, f.zone), ui.Date(lastDay(l.Period.End), f.zone))
	case l.Type == plans.Fixed:
		say("A fixed fee for the period, the same whatever you use.")
	default:
		say("You used %s %s in this period so far.", f.qty(l.Quantity), unit)
	}
	if ok && l.Type == plans.Usage {
		if r.FreeUnits.IsPositive() {
			if l.Quantity.LessThanOrEqual(r.FreeUnits) {
				say("The first %s %s are free, so none of it is charged yet.", f.qty(r.FreeUnits), unit)
			} else {
				say("The first %s %s are free; you pay for the %s after them.", f.qty(r.FreeUnits), unit, f.qty(l.Quantity.Sub(r.FreeUnits)))
			}
		}
		if r.PackageSize != nil {
			how := "a started package counts as a whole one"
			switch r.Rounding {
			case rating.RoundDown:
				how = "only complete packages count"
			case rating.RoundNone:
				how = "a part of a package counts for its share"
			}
			say("You are billed per package of %s %s (%s).", f.qty(*r.PackageSize), unit, how)
		}
		if r.Model == rating.ModelPerUnit || r.Model == rating.ModelPackage {
			per := "each"
			if r.PackageSize != nil {
				per = "per package"
			}
			say("The price is %s %s.", f.price(r.Amount), per)
		}
		if r.Model == rating.ModelTiered {
			if r.TierMode == rating.ModeVolume {
				say("Volume pricing: the tier your total falls in prices all of it.")
			} else {
				say("Graduated pricing: each tier prices only the part of your usage that falls in it.")
			}
		}
		if r.MinimumAmount != nil {
			say("This line is never less than %s for the period.", f.price(*r.MinimumAmount))
		}
	}
	for _, t := range l.Tiers {
		from, upTo := "0", "and above"
		if t.From != nil {
			from = f.qty(*t.From)
		}
		if t.UpTo != nil {
			upTo = "to " + f.qty(*t.UpTo)
		}
		p := f.price(t.UnitAmount) + " each"
		if t.FlatAmount.IsPositive() {
			p += " + " + f.price(t.FlatAmount) + " flat"
		}
		v.Tiers = append(v.Tiers, tierView{Name: fmt.Sprintf("Tier %d (%s %s)", t.Tier+1, from, upTo), Quantity: f.qty(t.Quantity), Price: p,
			Amount: ui.Money(t.Amount, string(f.cur), f.locale)})
	}
	switch {
	case len(l.Tiers) == 1:
		say("So far your usage is all in tier %d:", l.Tiers[0].Tier+1)
	case len(l.Tiers) > 1:
		say("Your usage has crossed into %d tiers; each one charges its part:", len(l.Tiers))
	}
	say = func(format string, args ...any) { v.After = append(v.After, fmt.Sprintf(format, args...)) }
	if l.Proration != nil && !l.Proration.Full() {
		say("Charged for %d of the period's %d days (the subscription started, changed or ends within it).", l.Proration.Days, l.Proration.OfDays)
	}
	if l.PriceUnit != "" && l.ConversionRate != nil {
		say("Priced in %s: %s %s, each worth %s.", l.PriceUnit, f.qty(l.UnitAmount), l.PriceUnit, f.price(*l.ConversionRate))
	}
	if l.CreditsApplied.IsPositive() {
		say("Your prepaid credit pays %s of this line.", f.money(l.CreditsApplied).Text)
	}
	return v
}

// titleOf names a line: the meter's name for usage, else the price key in
// words ("base" → "Base").
func titleOf(l invoicing.Line, unitName string) string {
	name := strings.ReplaceAll(l.PriceKey, "_", " ")
	if name == "" {
		return "Charge"
	}
	return strings.ToUpper(name[:1]) + name[1:]
}

// lastDay is the last instant inside a period ending (exclusively) at end,
// so a period [Mar 1, Apr 1) is written "Mar 1 – Mar 31".
func lastDay(end time.Time) time.Time { return end.Add(-time.Nanosecond) }
