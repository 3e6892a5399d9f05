package meters

import (
	"fmt"
	"strings"
	"testing"
)

// TestCheckStorable pins what event properties both stores can keep as
// sent; the number limits are MaxPropertyIntegerDigits and
// MaxPropertyFractionDigits, checked on both stores.
func TestCheckStorable(t *testing.T) {
	cases := []struct {
		name string
		raw  string
		ok   bool
	}{
		{"plain properties are storable", `{"a": 1, "b": "x", "c": [true, null, -2.5e-3]}`, true},
		{"no properties are storable", ``, true},
		{"a number with 309 integer digits (float64's largest) is storable", `{"n": 1.7e308}`, true},
		{"a number with 310 integer digits is not", `{"n": 1e309}`, false},
		{"1e400 is not", `{"n": 1e400}`, false},
		{"a mantissa with digits counts them", `{"n": 1.5e308}`, true},
		{"a mantissa with digits can pass the limit", `{"n": 12.5e308}`, false},
		{"324 decimal places are storable", `{"n": 5e-324}`, true},
		{"325 decimal places are not", `{"n": -1e-325}`, false},
		{"a zero with a huge exponent is storable", `{"n": 0e999999}`, true},
		{"a zero with a huge scale is not", `{"n": 0.0e-99999}`, false},
		{"an exponent beyond int64 is not", `{"n": 1e99999999999999999999}`, false},
		{"numbers inside strings are not numbers", `{"n": "1e999999"}`, true},
		{"a surrogate pair is storable", `{"s": "\ud83d\ude00"}`, true},
		{"a lone high surrogate is not", `{"s": "\ud800x"}`, false},
		{"a lone high surrogate at the end is not", `{"s": "\uD800"}`, false},
		{"a lone low surrogate is not", `{"s": "\udc00"}`, false},
		{"a reversed pair is not", `{"s": "\udc00\ud800"}`, false},
		{"a NUL escape is not", `{"s": "a\u0000"}`, false},
		{"an escaped backslash before u0000 is text, not NUL", `{"s": "\\u0000"}`, true},
		{"a NUL escape in a name is not", `{"\u0000": 1}`, false},
		{"invalid UTF-8 is not", "{\"s\": \"\xff\"}", false},
		{"deep nesting is scanned", `{"a": {"b": [{"c": 1e400}]}}`, false},
		{"long strings are scanned quickly", `{"s": "` + strings.Repeat(`\"x`, 100000) + `"}`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := checkStorable([]byte(c.raw))
			if (err == nil) != c.ok {
				t.Errorf("checkStorable(%.60s) = %v, want ok %v", c.raw, err, c.ok)
			}
		})
	}
}

// TestCheckLimits pins the size limits of an event's properties.
func TestCheckLimits(t *testing.T) {
	props := func(n, size int) string {
		var b strings.Builder
		b.WriteString("{")
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `"p%d":1`, i)
		}
		if size > 0 {
			if n > 0 {
				b.WriteString(",")
			}
			b.WriteString(`"s":"`)
			b.WriteString(strings.Repeat("x", size-b.Len()-2))
			b.WriteString(`"`)
		}
		b.WriteString("}")
		return b.String()
	}
	cases := []struct {
		name string
		raw  string
		ok   bool
	}{
		{"256 names are within the limit", props(MaxProperties, 0), true},
		{"257 names are not", props(MaxProperties+1, 0), false},
		{"10,000 names are not", props(10000, 0), false},
		{"32 KiB of JSON are within the limit", props(0, MaxPropertiesBytes), true},
		{"one byte more is not", props(0, MaxPropertiesBytes+1), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := ParseProperties([]byte(c.raw))
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if len(c.raw) > MaxPropertiesBytes+1 && c.ok {
				t.Fatalf("case is %d bytes", len(c.raw))
			}
			err = checkLimits([]byte(c.raw), p)
			if (err == nil) != c.ok {
				t.Errorf("checkLimits(%d names, %d bytes) = %v, want ok %v", len(p), len(c.raw), err, c.ok)
			}
		})
	}
}
