package eventvalue

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Kind is the JSON type of a scalar Value.
type Kind byte

const (
	KindString Kind = 's'
	KindNumber Kind = 'n'
	KindBool   Kind = 'b'
)

// Value is a scalar JSON value (string, number or boolean) in the one
// canonical form that equality of event values uses (pricing.md), for
// unique_count, for meter and price filters, and for the rollup series a
// price's filters name. It is computed in Go from the value, never by a
// database, so both stores and every read path agree:
//   - numbers are equal when their exact decimal values are: 100, 1e2,
//     100.0 and 1.00e+2 are one value, so are -0 and 0, 1.50 and 1.5;
//   - strings are equal when their decoded characters are: "caf\u00e9" is
//     "café" (no Unicode normalization beyond decoding escapes);
//   - booleans by value;
//   - values of different kinds are never equal: the string "1" is not the
//     number 1, and "true" is not true.
//
// Two Values are equal (==) exactly when they are equal JSON values. The zero
// Value is not a valid value.
type Value struct {
	kind Kind
	// text is the decoded string, the canonical number ("0", or an optional
	// "-", digits with no leading or trailing zero, "e" and the exponent:
	// 15e-1 for 1.5), or "true"/"false".
	text string
}

// StringValue is the JSON string s (already decoded).
func StringValue(s string) Value { return Value{KindString, s} }

// BoolValue is the JSON boolean b.
func BoolValue(b bool) Value { return Value{KindBool, strconv.FormatBool(b)} }

// NumberValue is the JSON number written by the literal lit (JSON number
// syntax: 100, -1.5, 1e2); it fails on anything else.
func NumberValue(lit string) (Value, error) {
	c, ok := canonicalNumber(lit)
	if !ok {
		return Value{}, fmt.Errorf("%s is not a JSON number", truncate(lit))
	}
	return Value{KindNumber, c}, nil
}

// MustNumber is NumberValue for literals known to be valid (tests, constants).
func MustNumber(lit string) Value {
	v, err := NumberValue(lit)
	if err != nil {
		panic(err)
	}
	return v
}

// ParseValue reads one raw JSON value. ok is false for null, objects, arrays
// and anything that is not valid JSON: those are not comparable values.
func ParseValue(raw json.RawMessage) (v Value, ok bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return Value{}, false
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return Value{}, false
		}
		return StringValue(s), true
	case 't', 'f':
		switch string(raw) {
		case "true":
			return BoolValue(true), true
		case "false":
			return BoolValue(false), true
		}
		return Value{}, false
	}
	v, err := NumberValue(string(raw))
	return v, err == nil
}

// Kind is the value's JSON type.
func (v Value) Kind() Kind { return v.kind }

// Valid reports whether v is a value (not the zero Value).
func (v Value) Valid() bool { return v.kind != 0 }

// Key is a text that two values share exactly when they are equal: the kind
// letter, ':' and the canonical text ("s:café", "n:1e2", "b:true").
func (v Value) Key() string { return string(v.kind) + ":" + v.text }

// String is the value as JSON text (see MarshalJSON).
func (v Value) String() string {
	b, _ := v.MarshalJSON()
	return string(b)
}

// MarshalJSON writes the value as JSON: a string as a string, a boolean as a
// boolean, a number as its canonical decimal (plain digits unless that would
// be very long: 1e2 is written 100, 1.50 as 1.5, 1e999 as 1e999).
func (v Value) MarshalJSON() ([]byte, error) {
	switch v.kind {
	case KindString:
		return json.Marshal(v.text)
	case KindBool:
		return []byte(v.text), nil
	case KindNumber:
		return []byte(plainNumber(v.text)), nil
	}
	return nil, fmt.Errorf("eventvalue: the zero Value has no JSON form")
}

// UnmarshalJSON reads a string, number or boolean.
func (v *Value) UnmarshalJSON(b []byte) error {
	x, ok := ParseValue(b)
	if !ok {
		return fmt.Errorf("must be a string, a number or a boolean")
	}
	*v = x
	return nil
}

// canonicalNumber checks JSON number syntax and returns the canonical text
// of its value, without ever expanding the exponent (1e999999 stays short).
func canonicalNumber(lit string) (string, bool) {
	s := lit
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	intPart, rest := spanDigits(s)
	if intPart == "" || (len(intPart) > 1 && intPart[0] == '0') {
		return "", false
	}
	frac := ""
	if strings.HasPrefix(rest, ".") {
		frac, rest = spanDigits(rest[1:])
		if frac == "" {
			return "", false
		}
	}
	exp := int64(0)
	if rest != "" {
		if rest[0] != 'e' && rest[0] != 'E' {
			return "", false
		}
		e := rest[1:]
		sign := int64(1)
		if strings.HasPrefix(e, "+") || strings.HasPrefix(e, "-") {
			if e[0] == '-' {
				sign = -1
			}
			e = e[1:]
		}
		digits, tail := spanDigits(e)
		if digits == "" || tail != "" {
			return "", false
		}
		digits = strings.TrimLeft(digits, "0")
		if len(digits) > 15 { // beyond any number a store keeps
			return "", false
		}
		n, _ := strconv.ParseInt("0"+digits, 10, 64)
		exp = sign * n
	}
	digits := strings.TrimLeft(intPart+frac, "0")
	if digits == "" {
		return "0", true // -0 and 0.000e5 are 0
	}
	exp -= int64(len(frac))
	trimmed := strings.TrimRight(digits, "0")
	exp += int64(len(digits) - len(trimmed))
	out := trimmed + "e" + strconv.FormatInt(exp, 10)
	if neg {
		out = "-" + out
	}
	return out, true
}

func spanDigits(s string) (digits, rest string) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i], s[i:]
}

// plainNumber writes a canonical number ("-15e-1") as a JSON number
// literal: plain digits ("-1.5", "100") when that takes at most 40 more
// characters, else the canonical exponent form, which is valid JSON too.
func plainNumber(c string) string {
	if c == "0" {
		return c
	}
	sign := ""
	if strings.HasPrefix(c, "-") {
		sign, c = "-", c[1:]
	}
	digits, e, _ := strings.Cut(c, "e")
	exp, _ := strconv.ParseInt(e, 10, 64)
	switch {
	case exp >= 0 && exp <= 40:
		return sign + digits + strings.Repeat("0", int(exp))
	case exp < 0 && -exp < int64(len(digits)):
		k := len(digits) + int(exp)
		return sign + digits[:k] + "." + digits[k:]
	case exp < 0 && -exp-int64(len(digits)) <= 40:
		return sign + "0." + strings.Repeat("0", int(-exp)-len(digits)) + digits
	}
	return sign + c
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
