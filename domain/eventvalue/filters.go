package eventvalue

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/tallyhq/tally/domain"
)

// Filters narrow a meter or a price to part of its events: an event passes
// when, for every listed property, its value is one of the listed values. A
// property missing from the event, or holding null, an object or an array,
// fails the filter.
//
// Listed values are typed JSON values, compared as pricing.md's equality of
// event values says (see Value): in {"n": [1]} the number 1 matches 1, 1.0
// and 1e0 but not the string "1"; {"n": ["1"]} matches only the string "1";
// {"flag": [true]} matches the boolean, not the string "true". A filter may
// list values of several kinds ({"n": [1, "1"]} matches both).
type Filters map[string][]Value

// UnmarshalJSON reads an object of arrays of strings, numbers and booleans
// (null reads as no filters). Numbers are read from their literal, exactly.
func (f *Filters) UnmarshalJSON(b []byte) error {
	var raw map[string][]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return fmt.Errorf("filters must be an object of arrays of values: %w", err)
	}
	out := Filters{}
	for k, vals := range raw {
		list := make([]Value, 0, len(vals))
		for _, v := range vals {
			x, ok := ParseValue(v)
			if !ok {
				return fmt.Errorf("filters.%s: values must be strings, numbers or booleans", k)
			}
			list = append(list, x)
		}
		out[k] = list
	}
	*f = out
	return nil
}

// Validate checks property names, that every list is non-empty and that
// it holds only values (never the zero Value).
func (f Filters) Validate() error {
	var p domain.Problems
	for _, k := range f.Keys() {
		if strings.TrimSpace(k) == "" {
			p.Add("", "property names must not be empty")
		}
		if len(f[k]) == 0 {
			p.Add(k, "must list at least one value")
		}
		for _, v := range f[k] {
			if !v.Valid() {
				p.Add(k, "values must be strings, numbers or booleans")
				break
			}
		}
	}
	return p.Err()
}

// Keys returns the property names in order.
func (f Filters) Keys() []string {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Properties is what a filter reads from an event: the value at a property
// path, false when the event has none (or holds null, an object or an array
// there). meters.Properties is one.
type Properties interface {
	Value(path string) (Value, bool)
}

// Match reports whether properties pass every filter.
func (f Filters) Match(props Properties) bool {
	for k, allowed := range f {
		v, ok := props.Value(k)
		if !ok {
			return false
		}
		found := false
		for _, a := range allowed {
			if a == v {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// canonical returns the filters with each list sorted by Key and without
// repeated values (equal values listed twice, 1 and 1.0, are one).
func (f Filters) canonical() Filters {
	c := Filters{}
	for k, vals := range f {
		seen := map[Value]bool{}
		var list []Value
		for _, v := range vals {
			if !seen[v] {
				seen[v] = true
				list = append(list, v)
			}
		}
		sort.Slice(list, func(i, j int) bool { return list[i].Key() < list[j].Key() })
		c[k] = list
	}
	return c
}
