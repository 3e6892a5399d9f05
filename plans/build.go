package plans

import (
	"strings"

	"github.com/tallyhq/tally/calendar"
	"github.com/tallyhq/tally/domain"
)

// Validation of a plan has one source per rule: this file checks what is
// the plan's own (key, name, currency, interval) and the list of prices
// (keys unique); price.go checks what a price is sold as; the rating math
// (rating.Price.Validate) checks amounts, tiers and their model. No rule is
// checked in two of them, so no problem is reported twice.

// build validates the input and returns the plan it describes (ids unset),
// collecting every problem with its field path.
func (in CreateInput) build(ms metersByKey) (Plan, error) {
	var p domain.Problems
	plan := Plan{Key: in.Key, Name: strings.TrimSpace(in.Name), Description: in.Description}
	domain.AddKeyProblem(&p, "key", in.Key)
	if plan.Name == "" {
		plan.Name = in.Key
	}
	if in.Currency == "" {
		p.Add("currency", "is required (an ISO 4217 code such as USD)")
	} else if c, ok := domain.ParseCurrency(in.Currency); !ok {
		p.Add("currency", "%q is not an ISO 4217 currency code", in.Currency)
	} else {
		plan.Currency = c
	}
	plan.Interval = calendar.Interval(in.Interval)
	p.Merge("", plan.Interval.Validate())
	prices, err := buildPrices(in.Prices, ms)
	p.Merge("", err)
	plan.Prices = prices
	plan.ExternalCosts = buildExternalCosts(in.ExternalCosts, ms, p.Add)
	return plan, p.Err()
}

// buildPrices validates each price under prices[i] and that no two share
// a key.
func buildPrices(list []PriceInput, ms metersByKey) ([]Price, error) {
	var p domain.Problems
	seen := map[string]int{}
	out := make([]Price, 0, len(list))
	for i, in := range list {
		if prev, dup := seen[in.Key]; dup && in.Key != "" {
			p.Add(pathf("prices[%d].key", i), "duplicates the key of prices[%d]", prev)
		}
		seen[in.Key] = i
		pr, err := in.build(ms)
		p.Merge(pathf("prices[%d]", i), err)
		out = append(out, pr)
	}
	return out, p.Err()
}
