package meters

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
// property missing from the event fails the filter. Values compare by text:
// the string itself, or the JSON literal of a number or boolean.
type Filters map[string][]string

// UnmarshalJSON accepts string, number and boolean values.
func (f *Filters) UnmarshalJSON(b []byte) error {
	var raw map[string][]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return fmt.Errorf("filters must be an object of arrays of values: %w", err)
	}
	out := Filters{}
	for k, vals := range raw {
		list := make([]string, 0, len(vals))
		for _, v := range vals {
			s, ok := scalarText(v)
			if !ok {
				return fmt.Errorf("filters.%s: values must be strings, numbers or booleans", k)
			}
			list = append(list, s)
		}
		out[k] = list
	}
	*f = out
	return nil
}

// Validate checks property names and that every list is non-empty.
func (f Filters) Validate() error {
	var p domain.Problems
	for _, k := range f.Keys() {
		if strings.TrimSpace(k) == "" {
			p.Add("", "property names must not be empty")
		}
		if len(f[k]) == 0 {
			p.Add(k, "must list at least one value")
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

// Match reports whether properties pass every filter.
func (f Filters) Match(props Properties) bool {
	for k, allowed := range f {
		v, ok := props.Text(k)
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

// scalarText is the text a scalar JSON value compares by.
func scalarText(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", false
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", false
		}
		return s, true
	case 't', 'f':
		return string(raw), string(raw) == "true" || string(raw) == "false"
	case '{', '[', 'n':
		return "", false
	default:
		return string(raw), true
	}
}
