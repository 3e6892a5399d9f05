package domain

import (
	"strings"
	"testing"
)

// TestAddTextProblems pins MaxText, counted in characters, not bytes.
func TestAddTextProblems(t *testing.T) {
	cases := []struct {
		name string
		in   string
		ok   bool
	}{
		{"an empty text is within the limit", "", true},
		{"10,000 characters are within it", strings.Repeat("a", MaxText), true},
		{"10,001 are not", strings.Repeat("a", MaxText+1), false},
		{"10,000 two-byte characters are within it", strings.Repeat("é", MaxText), true},
		{"10,001 two-byte characters are not", strings.Repeat("é", MaxText+1), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var p Problems
			AddTextProblems(&p, "name", c.in)
			if p.Empty() != c.ok {
				t.Errorf("%d characters: problems %v, want ok %v", len([]rune(c.in)), p.Err(), c.ok)
			}
		})
	}
}
