package scenario

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"
)

// advisor runs a plan-advisor step (our extension, for pricing pages):
// POST the body to /v1/plans/compare or /v1/plans/break_even and check
// that the reply contains want (Contains: every key of an expected object,
// arrays element by element, decimals by value).
func (pl *player) advisor(ctx context.Context, i int, what string, body, want json.RawMessage) Check {
	name := fmt.Sprintf("expect[%d] %s", i, what)
	if want == nil {
		return done(name, fmt.Errorf("a %s step needs the reply it expects", what))
	}
	var got json.RawMessage
	if err := pl.c.do(ctx, "POST", "/v1/plans/"+what, body, &got); err != nil {
		return done(name, err)
	}
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		return done(name, err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		return done(name, fmt.Errorf("reply: %w", err))
	}
	if diffs := Contains(g, w, "reply"); len(diffs) > 0 {
		return done(name, fmt.Errorf("%s", strings.Join(diffs, "; ")))
	}
	return done(name, nil)
}

// Contains lists where got does not contain want: an object must have
// every key of want's (more are fine), an array as many elements as want's,
// each containing its counterpart; strings or numbers that are both
// decimals compare by value ("38.0" is "38"), anything else exactly.
func Contains(got, want any, at string) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: got %s, want an object", at, show(got))}
		}
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var out []string
		for _, k := range keys {
			gv, ok := g[k]
			if !ok {
				out = append(out, fmt.Sprintf("%s.%s: missing", at, k))
				continue
			}
			out = append(out, Contains(gv, w[k], at+"."+k)...)
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: got %s, want %d elements", at, show(got), len(w))}
		}
		var out []string
		for i := range w {
			out = append(out, Contains(g[i], w[i], fmt.Sprintf("%s[%d]", at, i))...)
		}
		return out
	}
	if gd, ok := asDecimal(got); ok {
		if wd, ok := asDecimal(want); ok {
			if !gd.Equal(wd) {
				return []string{fmt.Sprintf("%s: got %s, want %s", at, show(got), show(want))}
			}
			return nil
		}
	}
	if show(got) != show(want) {
		return []string{fmt.Sprintf("%s: got %s, want %s", at, show(got), show(want))}
	}
	return nil
}

func asDecimal(v any) (decimal.Decimal, bool) {
	switch x := v.(type) {
	case float64:
		return decimal.NewFromFloat(x), true
	case string:
		d, err := decimal.NewFromString(x)
		return d, err == nil
	}
	return decimal.Decimal{}, false
}

func show(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
