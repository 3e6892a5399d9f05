package plans

import (
	"strings"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/plans/rating"
)

// build validates one price and returns it (id unset). It checks what the
// price is sold as — its key, its type and what that type allows (meter,
// filters, cadence, model) — and what was sent but not given (an amount,
// a tier's amounts); everything about amounts, tiers and the model's
// numbers is rating.Price.Validate's, reported once, under its own field.
func (in PriceInput) build(ms metersByKey) (Price, error) {
	var p domain.Problems
	pr := Price{Key: in.Key, Type: PriceType(in.Type), Filters: in.Filters, Cadence: Cadence(in.Cadence)}
	domain.AddKeyProblem(&p, "key", in.Key)
	model := rating.Model(in.Model)
	switch pr.Type {
	case "":
		p.Add("type", "is required (fixed or usage)")
	case Fixed:
		in.fixedRules(&p, &pr, model)
	case Usage:
		in.usageRules(&p, &pr, model, ms)
	default:
		p.Add("type", "unknown type %q (fixed or usage)", in.Type)
	}
	if model == "" {
		if pr.Type == Fixed {
			model = rating.ModelFlat
		} else {
			p.Add("model", "is required (per_unit, package or tiered)")
		}
	}
	in.buildRating(&p, &pr.Rating, model)
	return pr, p.Err()
}

// fixedRules: a fixed price is a flat fee, billed in advance unless it says
// arrear, with no meter and no filters.
func (in PriceInput) fixedRules(p *domain.Problems, pr *Price, model rating.Model) {
	if in.Meter != "" {
		p.Add("meter", "is only for usage prices")
	}
	if len(in.Filters) > 0 {
		p.Add("filters", "are only for usage prices")
	}
	if model != "" && model != rating.ModelFlat {
		p.Add("model", "a fixed price must use the flat model")
	}
	switch pr.Cadence {
	case "":
		pr.Cadence = Advance
	case Advance, Arrear:
	default:
		p.Add("cadence", "unknown cadence %q (advance or arrear)", in.Cadence)
	}
}

// usageRules: a usage price rates a live meter's quantity (narrowed by
// valid filters), is billed in arrear, and is not flat.
func (in PriceInput) usageRules(p *domain.Problems, pr *Price, model rating.Model, ms metersByKey) {
	if model == rating.ModelFlat {
		p.Add("model", "flat is for fixed prices; a usage price uses per_unit, package or tiered")
	}
	if pr.Cadence != "" && pr.Cadence != Arrear {
		p.Add("cadence", "usage is always billed in arrear")
	}
	pr.Cadence = Arrear
	if in.Meter == "" {
		p.Add("meter", "is required for a usage price (a meter key)")
	} else if m, ok := ms[in.Meter]; !ok {
		p.Add("meter", "unknown meter %q", in.Meter)
	} else if m.Archived {
		p.Add("meter", "meter %q is archived", in.Meter)
	} else {
		pr.MeterID, pr.MeterKey = m.ID, m.Key
		pr.Rating.Unit = m.Unit
	}
	p.Merge("filters", in.Filters.Validate())
}

// buildRating fills r from the input and has the rating math validate it
// (once the model is known). Only presence is checked here: an amount the
// model needs, and each tier giving an amount.
func (in PriceInput) buildRating(p *domain.Problems, r *rating.Price, model rating.Model) {
	r.Model = model
	r.Rounding = rating.Rounding(in.Rounding)
	r.TierMode = rating.TierMode(in.TierMode)
	r.PackageSize = in.PackageSize
	r.MinimumAmount = in.MinimumAmount
	r.PriceUnit = strings.TrimSpace(in.PriceUnit)
	r.ConversionRate = in.ConversionRate
	if in.FreeUnits != nil {
		r.FreeUnits = *in.FreeUnits
	}
	switch {
	case in.Amount != nil:
		r.Amount = *in.Amount
	case model == rating.ModelFlat || model == rating.ModelPerUnit || model == rating.ModelPackage:
		p.Add("amount", "is required for the %s model", model)
	}
	for i, t := range in.Tiers {
		tier := rating.Tier{UpTo: t.UpTo}
		if t.UnitAmount == nil && t.FlatAmount == nil {
			p.Add(pathf("tiers[%d]", i), "needs unit_amount or flat_amount")
		}
		if t.UnitAmount != nil {
			tier.UnitAmount = *t.UnitAmount
		}
		if t.FlatAmount != nil {
			tier.FlatAmount = *t.FlatAmount
		}
		r.Tiers = append(r.Tiers, tier)
	}
	if model != "" {
		p.Merge("", r.Validate())
	}
}
