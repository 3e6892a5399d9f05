package meters

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Properties are an event's properties as sent: each value kept as its raw
// JSON so that numbers stay exact.
type Properties map[string]json.RawMessage

// ParseProperties reads a JSON object; null or empty input gives no
// properties.
func ParseProperties(raw []byte) (Properties, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return Properties{}, nil
	}
	if raw[0] != '{' {
		return nil, fmt.Errorf("must be a JSON object")
	}
	var p Properties
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("must be a JSON object: %w", err)
	}
	if p == nil {
		p = Properties{}
	}
	return p, nil
}

// Lookup finds a property by name or dotted path into nested objects.
func (p Properties) Lookup(path string) (json.RawMessage, bool) {
	if v, ok := p[path]; ok {
		return v, true
	}
	head, rest, nested := strings.Cut(path, ".")
	if !nested {
		return nil, false
	}
	v, ok := p[head]
	if !ok {
		return nil, false
	}
	inner, err := ParseProperties(v)
	if err != nil {
		return nil, false
	}
	return inner.Lookup(rest)
}

// Text returns the comparable text of a scalar property (see Filters).
func (p Properties) Text(path string) (string, bool) {
	v, ok := p.Lookup(path)
	if !ok {
		return "", false
	}
	return scalarText(v)
}

// Decimal reads a property that must hold a decimal: a JSON number or a
// string holding one ("500000"). The literal is parsed exactly, never through
// float64.
func (p Properties) Decimal(path string) (decimal.Decimal, error) {
	v, ok := p.Lookup(path)
	if !ok {
		return decimal.Decimal{}, fmt.Errorf("is missing")
	}
	v = bytes.TrimSpace(v)
	s := string(v)
	if len(v) > 0 && v[0] == '"' {
		if err := json.Unmarshal(v, &s); err != nil {
			return decimal.Decimal{}, fmt.Errorf("is not a decimal")
		}
		s = strings.TrimSpace(s)
	} else if len(v) == 0 || !(v[0] == '-' || (v[0] >= '0' && v[0] <= '9')) {
		return decimal.Decimal{}, fmt.Errorf("is not a decimal (got %s)", truncate(s))
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf("is not a decimal (got %s)", truncate(s))
	}
	return d, nil
}

// Unique returns the text a unique_count compares a property by: its JSON
// text, so "1" and 1 are different values. Objects and arrays are not
// counted.
func (p Properties) Unique(path string) (string, bool) {
	v, ok := p.Lookup(path)
	if !ok {
		return "", false
	}
	v = bytes.TrimSpace(v)
	if len(v) == 0 || v[0] == '{' || v[0] == '[' || string(v) == "null" {
		return "", false
	}
	return string(v), true
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
