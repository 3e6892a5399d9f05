package plans

import (
	"encoding/json"
	"testing"

	"github.com/tallyhq/tally/domain"
)

// FuzzPlanBuild builds plans from arbitrary JSON (the fields of
// CreateInput, matched by name as the API's plan body is). No panic; a
// refusal is a validation error; an accepted plan has a known currency and
// interval, unique price keys, usage prices on a known meter, and every
// price valid for rating (rating.Price.Validate, fuzzed on its own in
// plans/rating).
func FuzzPlanBuild(f *testing.F) {
	for _, s := range []string{
		`{"key":"pro","currency":"USD","interval":"month","prices":[{"key":"base","type":"fixed","model":"flat","amount":"10.00"}]}`,
		`{"key":"pro","currency":"USD","interval":"month","prices":[{"key":"c","type":"usage","model":"per_unit","meter":"calls","amount":"0.001","freeunits":"100"}]}`,
		`{"key":"t","currency":"JPY","interval":"year","prices":[{"key":"c","type":"usage","model":"tiered","meter":"calls","tiermode":"volume","tiers":[{"upto":"10","unitamount":"5"},{"unitamount":"1"}]}]}`,
		`{"key":"p","currency":"EUR","interval":"week","prices":[{"key":"c","type":"usage","model":"package","meter":"tokens","amount":"15","packagesize":"1000000","rounding":"up"}]}`,
		`{"key":"dup","currency":"USD","interval":"day","prices":[{"key":"a","type":"fixed","model":"flat","amount":"1"},{"key":"a","type":"fixed","model":"flat","amount":"1"}]}`,
		`{"key":"x","currency":"usd","interval":"fortnight","prices":[{"key":"c","type":"usage","model":"per_unit","meter":"nope","amount":"-1"}]}`,
		`{"key":"cu","currency":"USD","interval":"quarter","prices":[{"key":"c","type":"usage","model":"per_unit","meter":"calls","amount":"1","priceunit":"credits","conversionrate":"0"}]}`,
		`{"key":"","prices":null}`, `{}`,
	} {
		f.Add([]byte(s))
	}
	ms := metersByKey{"calls": {ID: "mtr_1", Key: "calls"}, "tokens": {ID: "mtr_2", Key: "tokens", Unit: "tokens"}, "old": {ID: "mtr_3", Key: "old", Archived: true}}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in CreateInput
		if json.Unmarshal(body, &in) != nil {
			return
		}
		plan, err := in.build(ms)
		if err != nil {
			if domain.KindOf(err) != domain.KindValidation {
				t.Fatalf("%s: refused with %v, not a validation error", body, err)
			}
			return
		}
		if _, ok := domain.ParseCurrency(string(plan.Currency)); !ok || !plan.Interval.Valid() {
			t.Fatalf("%s: accepted currency %q, interval %q", body, plan.Currency, plan.Interval)
		}
		keys := map[string]bool{}
		for _, p := range plan.Prices {
			if keys[p.Key] {
				t.Fatalf("%s: two prices with the key %q", body, p.Key)
			}
			keys[p.Key] = true
			if err := p.Rating.Validate(); err != nil {
				t.Fatalf("%s: accepted price %q that rating refuses: %v", body, p.Key, err)
			}
			if p.MeterKey != "" {
				if m, ok := ms[p.MeterKey]; !ok || m.ID != p.MeterID {
					t.Fatalf("%s: price %q on meter %q (%q)", body, p.Key, p.MeterKey, p.MeterID)
				}
			}
		}
	})
}
