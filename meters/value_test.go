package meters_test

import (
	"encoding/json"
	"testing"

	"github.com/tallyhq/tally/domain/eventvalue"
	"github.com/tallyhq/tally/meters"
)

func parse(t *testing.T, raw string) meters.Value {
	t.Helper()
	v, ok := eventvalue.ParseValue(json.RawMessage(raw))
	if !ok {
		t.Fatalf("ParseValue(%s) is not a value", raw)
	}
	return v
}

func TestValuesCompareAsJSONValues(t *testing.T) {
	cases := []struct {
		name  string
		a, b  string
		equal bool
	}{
		{"an integer equals its exponent form", `100`, `1e2`, true},
		{"an integer equals itself with a zero fraction", `100`, `100.0`, true},
		{"an upper-case exponent with a sign is the same number", `1.00E+2`, `100`, true},
		{"a negative exponent is a fraction", `15e-1`, `1.5`, true},
		{"trailing fraction zeros do not count", `1.50`, `1.5`, true},
		{"minus zero is zero", `-0`, `0`, true},
		{"a zero with a fraction and an exponent is zero", `0.000e5`, `-0.0`, true},
		{"a negative number is not its absolute value", `-1.5`, `1.5`, false},
		{"close numbers differ", `1.0000000000000000000001`, `1`, false},
		{"a huge exponent stays exact", `1e131071`, `10e131070`, true},
		{"an escaped string equals its decoded characters", `"caf\u00e9"`, `"café"`, true},
		{"an escaped slash is a slash", `"a\/b"`, `"a/b"`, true},
		{"strings compare by every character", `"café"`, `"cafe"`, false},
		{"a string holding a number is not the number", `"1"`, `1`, false},
		{"a string holding 100 is not 1e2", `"100"`, `1e2`, false},
		{"a string true is not the boolean", `"true"`, `true`, false},
		{"booleans compare by value", `true`, `true`, true},
		{"true is not false", `true`, `false`, false},
		{"a boolean is not a number", `true`, `1`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, b := parse(t, c.a), parse(t, c.b)
			if (a == b) != c.equal || (a.Key() == b.Key()) != c.equal {
				t.Errorf("%s vs %s: equal %v (keys %q, %q), want %v", c.a, c.b, a == b, a.Key(), b.Key(), c.equal)
			}
		})
	}
}

func TestParseValueTakesOnlyScalars(t *testing.T) {
	for _, raw := range []string{`null`, `{}`, `[1]`, ``, `01`, `1.`, `.5`, `+1`, `1e`, `tru`, `"open`, `NaN`, `1e9999999999999999`} {
		t.Run(raw, func(t *testing.T) {
			if v, ok := eventvalue.ParseValue(json.RawMessage(raw)); ok {
				t.Errorf("ParseValue(%s) = %v, want no value", raw, v)
			}
		})
	}
}

func TestValuesWriteBackAsTheirJSONValue(t *testing.T) {
	cases := []struct{ name, raw, want string }{
		{"an exponent is written in plain digits", `1e2`, `100`},
		{"a fraction loses its trailing zeros", `1.50`, `1.5`},
		{"a small fraction keeps its leading zeros", `-25e-4`, `-0.0025`},
		{"minus zero is written 0", `-0.0`, `0`},
		{"a huge number keeps its exponent", `12e300`, `12e300`},
		{"a string is written decoded", `"caf\u00e9"`, `"café"`},
		{"a boolean is written as a boolean", `false`, `false`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := parse(t, c.raw).String(); got != c.want {
				t.Errorf("%s is written %s, want %s", c.raw, got, c.want)
			}
			if back := parse(t, parse(t, c.raw).String()); back != parse(t, c.raw) {
				t.Errorf("%s does not read back as the same value", c.raw)
			}
		})
	}
}

func TestFiltersListTypedValues(t *testing.T) {
	cases := []struct {
		name   string
		filter string
		props  string
		match  bool
	}{
		{"a listed number matches an equal number written otherwise", `{"n": [100]}`, `{"n": 1e2}`, true},
		{"a listed number does not match a string of its digits", `{"n": [1]}`, `{"n": "1"}`, false},
		{"a listed string does not match the number", `{"n": ["1"]}`, `{"n": 1}`, false},
		{"a listed string matches the string", `{"n": ["1"]}`, `{"n": "1"}`, true},
		{"a list may hold both kinds", `{"n": [1, "1"]}`, `{"n": "1"}`, true},
		{"an escaped listed string matches the decoded property", `{"s": ["caf\u00e9"]}`, `{"s": "café"}`, true},
		{"a listed boolean does not match the string true", `{"b": [true]}`, `{"b": "true"}`, false},
		{"a listed boolean matches the boolean", `{"b": [true]}`, `{"b": true}`, true},
		{"a missing property fails", `{"n": [1]}`, `{}`, false},
		{"a null property fails", `{"n": [1]}`, `{"n": null}`, false},
		{"a dotted path reaches a nested value", `{"a.n": [0]}`, `{"a": {"n": -0}}`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var f meters.Filters
			if err := json.Unmarshal([]byte(c.filter), &f); err != nil {
				t.Fatal(err)
			}
			props, err := meters.ParseProperties([]byte(c.props))
			if err != nil {
				t.Fatal(err)
			}
			if got := f.Match(props); got != c.match {
				t.Errorf("filters %s on %s: match %v, want %v", c.filter, c.props, got, c.match)
			}
			if back := eventvalue.DecodeFilters(eventvalue.EncodeFilters(f)); back.Match(props) != c.match {
				t.Errorf("filters %s stored as %s match differently", c.filter, eventvalue.EncodeFilters(f))
			}
		})
	}
}

func TestFiltersStoredAsTextBeforeTypedValuesKeepMatching(t *testing.T) {
	// Before migration 0011 filters were stored as texts: {"n": ["1"]} came
	// from [1] or ["1"] alike and matched both; it still does.
	f := eventvalue.DecodeFilters(`{"n":["1"],"b":["true"]}`)
	for _, props := range []string{`{"n": 1, "b": true}`, `{"n": "1", "b": "true"}`, `{"n": 1.0, "b": true}`} {
		p, _ := meters.ParseProperties([]byte(props))
		if !f.Match(p) {
			t.Errorf("legacy filters %v do not match %s", f, props)
		}
	}
	p, _ := meters.ParseProperties([]byte(`{"n": 2, "b": true}`))
	if f.Match(p) {
		t.Errorf("legacy filters %v match %s", f, `{"n": 2, "b": true}`)
	}
}
