package domain

import "regexp"

var keyPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}$`)

// ValidKey reports whether s is a usable key for a meter, plan or price:
// 1–100 letters, digits, '_', '.', '-', starting with a letter or digit.
// Meters and the catalog share this one rule.
func ValidKey(s string) bool { return keyPattern.MatchString(s) }

// AddKeyProblem adds to p the one problem a key may have under field: that
// it is missing, or that it breaks the rule of ValidKey. It adds nothing for
// a valid key.
func AddKeyProblem(p *Problems, field, key string) {
	switch {
	case key == "":
		p.Add(field, "is required")
	case !ValidKey(key):
		p.Add(field, "must be 1-100 letters, digits, '_', '.' or '-', starting with a letter or digit")
	}
}
