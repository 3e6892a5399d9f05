package meters

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain/eventvalue"
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
	// The JSON v2 prototype first, under its strict defaults (valid UTF-8,
	// no name given twice): on such an object it decodes exactly what
	// encoding/json does, about twice as fast (every ingested event passes
	// here). Anything else — invalid UTF-8, a repeated name, broken JSON —
	// is left to encoding/json, whose rules (the last of a repeated name
	// wins) have always decided; FuzzParseProperties checks the two agree.
	if err := jsonv2.Unmarshal(raw, &p); err == nil {
		if p == nil {
			p = Properties{}
		}
		return p, nil
	}
	p = nil
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

// Value returns the comparable value of a scalar property (see Value): ok is
// false when the property is missing or holds null, an object or an array.
func (p Properties) Value(path string) (Value, bool) {
	v, ok := p.Lookup(path)
	if !ok {
		return Value{}, false
	}
	return eventvalue.ParseValue(v)
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

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// Limits of an event's properties, checked on both stores:
//   - MaxProperties names at the top level of the object;
//   - MaxPropertiesBytes bytes of JSON as sent (nested values included);
//   - numbers of at most MaxPropertyIntegerDigits digits before the point
//     and MaxPropertyFractionDigits after (as written: trailing zeros after
//     the point count): float64's range, what JSON parsers in most
//     languages can read back. `1e400` is refused (PostgreSQL's numeric
//     would keep it, but few clients could), `1.5e300` is kept exactly.
//
// Beyond any of them the event is rejected (422, or its index in a batch)
// with the field "properties".
const (
	MaxProperties             = 256
	MaxPropertiesBytes        = 32 << 10
	MaxPropertyIntegerDigits  = 309
	MaxPropertyFractionDigits = 324
)

// checkLimits reports properties beyond MaxProperties names or
// MaxPropertiesBytes bytes.
func checkLimits(raw []byte, p Properties) error {
	if len(raw) > MaxPropertiesBytes {
		return fmt.Errorf("must be at most %d bytes of JSON (got %d)", MaxPropertiesBytes, len(raw))
	}
	if len(p) > MaxProperties {
		return fmt.Errorf("must have at most %d names (got %d)", MaxProperties, len(p))
	}
	return nil
}

// checkStorable reports what in raw properties no store can keep as sent
// (PostgreSQL would refuse the whole batch): invalid UTF-8, NUL characters,
// lone UTF-16 surrogate escapes, and numbers beyond the property limits.
func checkStorable(raw []byte) error {
	if !utf8.Valid(raw) {
		return fmt.Errorf("must be valid UTF-8")
	}
	inString := false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case inString && c == '"':
			inString = false
		case inString && c == '\\':
			if i+1 < len(raw) && raw[i+1] == 'u' {
				r, ok := hex4(raw, i+2)
				switch {
				case !ok:
				case r == 0:
					return fmt.Errorf("must not contain NUL characters")
				case r >= 0xD800 && r <= 0xDBFF:
					lo, ok := rune(0), false
					if i+7 < len(raw) && raw[i+6] == '\\' && raw[i+7] == 'u' {
						lo, ok = hex4(raw, i+8)
					}
					if !ok || lo < 0xDC00 || lo > 0xDFFF {
						return fmt.Errorf("must not contain a lone UTF-16 surrogate (\\u%04x)", r)
					}
					i += 6
				case r >= 0xDC00 && r <= 0xDFFF:
					return fmt.Errorf("must not contain a lone UTF-16 surrogate (\\u%04x)", r)
				}
				i += 5
			} else {
				i++
			}
		case inString:
		case c == '"':
			inString = true
		case c == '-' || (c >= '0' && c <= '9'):
			j := i
			for j < len(raw) && bytes.IndexByte([]byte("+-.0123456789eE"), raw[j]) >= 0 {
				j++
			}
			if err := numberInRange(string(raw[i:j])); err != nil {
				return err
			}
			i = j - 1
		}
	}
	return nil
}

func hex4(b []byte, at int) (rune, bool) {
	if at+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[at : at+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c-'a') + 10
		case c >= 'A' && c <= 'F':
			r |= rune(c-'A') + 10
		default:
			return 0, false
		}
	}
	return r, true
}

// numberInRange checks a JSON number literal against the property number
// limits without expanding it (1e999999 stays cheap).
func numberInRange(lit string) error {
	mant, exp := lit, int64(0)
	if k := strings.IndexAny(lit, "eE"); k >= 0 {
		mant = lit[:k]
		e, err := strconv.ParseInt(lit[k+1:], 10, 64)
		if err != nil || e > 1<<40 || e < -(1<<40) {
			return numberOutOfRange(lit)
		}
		exp = e
	}
	mant = strings.TrimPrefix(mant, "-")
	intPart, frac, _ := strings.Cut(mant, ".")
	digits := strings.TrimLeft(intPart+frac, "0")
	if digits == "" { // zero: only the scale matters
		if int64(len(frac))-exp > MaxPropertyFractionDigits {
			return numberOutOfRange(lit)
		}
		return nil
	}
	// The value is digits × 10^(exp-len(frac)): its integer part has
	// len(digits)+exp-len(frac) digits.
	point := int64(len(digits)) + exp - int64(len(frac))
	scale := int64(len(frac)) - exp
	if point > MaxPropertyIntegerDigits || scale > MaxPropertyFractionDigits {
		return numberOutOfRange(lit)
	}
	return nil
}

func numberOutOfRange(lit string) error {
	return fmt.Errorf("holds the number %s, out of range (at most %d digits before the point and %d after)", truncate(lit), MaxPropertyIntegerDigits, MaxPropertyFractionDigits)
}
