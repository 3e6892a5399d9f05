package meters

import (
	"strings"
	"testing"
)

// TestCheckStorable pins what event properties both stores can keep as
// sent; the limits are PostgreSQL numeric's (jsonb), checked on both stores.
func TestCheckStorable(t *testing.T) {
	cases := []struct {
		name string
		raw  string
		ok   bool
	}{
		{"plain properties are storable", `{"a": 1, "b": "x", "c": [true, null, -2.5e-3]}`, true},
		{"no properties are storable", ``, true},
		{"a number with 131072 integer digits is storable", `{"n": 1e131071}`, true},
		{"a number with 131073 integer digits is not", `{"n": 1e131072}`, false},
		{"a mantissa with digits counts them", `{"n": 1.5e131071}`, true},
		{"a mantissa with digits can pass the limit", `{"n": 12.5e131071}`, false},
		{"16383 decimal places are storable", `{"n": 1e-16383}`, true},
		{"16384 decimal places are not", `{"n": -1e-16384}`, false},
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
		{"deep nesting is scanned", `{"a": {"b": [{"c": 1e200000}]}}`, false},
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
