package domain

import "unicode/utf8"

// MaxText is the most characters any text field of a request may hold
// (names, descriptions, ids, URLs; stricter limits of a field still apply,
// such as 255 for an external_id). A 1 MB name is a 422 naming the field,
// not a row that every list then carries.
const MaxText = 10000

// AddTextProblems records in p a text beyond MaxText characters, under
// field (nothing when s is within it).
func AddTextProblems(p *Problems, field, s string) {
	if len(s) > MaxText && utf8.RuneCountInString(s) > MaxText {
		p.Add(field, "must be at most %d characters", MaxText)
	}
}
