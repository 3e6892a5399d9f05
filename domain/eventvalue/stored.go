package eventvalue

import (
	"bytes"
	"encoding/json"
)

// Stored filters (a meter's, a price's, a rollup series' key) are a JSON
// array of {"property", "values"} entries in property order, the values as
// typed JSON values: [{"property":"model","values":["o1",100,true]}]. An
// array, so that it cannot be mistaken for the form stored before typed
// values (migration 0011): an object of arrays of texts, {"model":["o1"]},
// in which numbers and booleans had been turned into their literal's text.
// That legacy form compared by text, so a stored "1" matched both the string
// "1" and the number 1; it is read back as both values (and "true" as the
// string and the boolean), so old meters and prices keep counting what they
// counted, now also matching equal numbers written differently (1.0).

type storedFilter struct {
	Property string  `json:"property"`
	Values   []Value `json:"values"`
}

// EncodeFilters is the stored text of filters (also used for price
// filters), keeping the listed order of values.
func EncodeFilters(f Filters) string {
	entries := make([]storedFilter, 0, len(f))
	for _, k := range f.Keys() {
		vals := f[k]
		if vals == nil {
			vals = []Value{}
		}
		entries = append(entries, storedFilter{k, vals})
	}
	b, _ := json.Marshal(entries)
	return string(b)
}

// DecodeFilters reads filters stored by EncodeFilters, or in the legacy form
// (see above). Unreadable text reads as no filters.
func DecodeFilters(s string) Filters {
	b := bytes.TrimSpace([]byte(s))
	f := Filters{}
	if len(b) > 0 && b[0] == '[' {
		var entries []storedFilter
		if json.Unmarshal(b, &entries) == nil {
			for _, e := range entries {
				f[e.Property] = append([]Value{}, e.Values...)
			}
		}
		return f
	}
	var legacy map[string][]string
	_ = json.Unmarshal(b, &legacy)
	for k, texts := range legacy {
		list := []Value{}
		for _, t := range texts {
			list = append(list, StringValue(t))
			if n, err := NumberValue(t); err == nil {
				list = append(list, n)
			}
			if t == "true" || t == "false" {
				list = append(list, BoolValue(t == "true"))
			}
		}
		f[k] = list
	}
	return f
}

// Key is the canonical text of a filter set, naming its rollup series:
// equal filter sets (same properties, equal values in any order or
// repeated) share one key.
func (f Filters) Key() string { return EncodeFilters(f.canonical()) }
