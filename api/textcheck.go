package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tallyhq/tally/domain"
)

// textProblems names every string of a (valid) JSON body, key or value,
// that is not valid Unicode: raw bytes that are not UTF-8, or a \u escape
// of a lone UTF-16 surrogate (\ud800 without its pair). encoding/json
// would quietly turn both into U+FFFD, so two different event ids could
// become one; Tally refuses them instead, naming the field. It costs
// nothing for a body of plain text: the walk only runs when the body holds
// a byte outside ASCII's printable range or a \u escape.
func textProblems(body []byte) error {
	if utf8.Valid(body) && !bytes.Contains(bytes.ToLower(body), []byte(`\ud`)) {
		return nil
	}
	w := textWalker{b: body}
	w.value(w.skip(0), "")
	return w.p.Err()
}

type textWalker struct {
	b []byte
	p domain.Problems
}

func (w *textWalker) skip(i int) int {
	for i < len(w.b) && (w.b[i] == ' ' || w.b[i] == '\t' || w.b[i] == '\n' || w.b[i] == '\r') {
		i++
	}
	return i
}

// value walks the value at i (under path) and returns the index after it.
func (w *textWalker) value(i int, path string) int {
	if i >= len(w.b) {
		return i
	}
	switch w.b[i] {
	case '{':
		i = w.skip(i + 1)
		for i < len(w.b) && w.b[i] != '}' {
			lit, next := w.literal(i)
			name := literalText(lit)
			field := joinPath(path, name)
			if !goodLiteral(lit) {
				w.p.Add(fieldOr(path), "has a member name that is not valid UTF-8 (%q)", name)
			}
			i = w.skip(next)
			i = w.skip(i + 1) // ':'
			i = w.skip(w.value(i, field))
			if i < len(w.b) && w.b[i] == ',' {
				i = w.skip(i + 1)
			}
		}
		return i + 1
	case '[':
		i = w.skip(i + 1)
		for n := 0; i < len(w.b) && w.b[i] != ']'; n++ {
			i = w.skip(w.value(i, fmt.Sprintf("%s[%d]", path, n)))
			if i < len(w.b) && w.b[i] == ',' {
				i = w.skip(i + 1)
			}
		}
		return i + 1
	case '"':
		lit, next := w.literal(i)
		if !goodLiteral(lit) {
			w.p.Add(fieldOr(path), "must be valid UTF-8 text (invalid bytes or a lone surrogate escape would be rewritten to U+FFFD)")
		}
		return next
	}
	for i < len(w.b) && !strings.ContainsRune(",]} \t\r\n", rune(w.b[i])) {
		i++
	}
	return i
}

// literal returns the string literal starting at the quote at i, without
// its quotes, and the index after it.
func (w *textWalker) literal(i int) ([]byte, int) {
	start := i + 1
	for j := start; j < len(w.b); j++ {
		switch w.b[j] {
		case '\\':
			j++
		case '"':
			return w.b[start:j], j + 1
		}
	}
	return w.b[start:], len(w.b)
}

// goodLiteral reports whether a JSON string literal's raw text is UTF-8
// and every \u escape of a surrogate is a proper pair.
func goodLiteral(lit []byte) bool {
	if !utf8.Valid(lit) {
		return false
	}
	for i := 0; i < len(lit); i++ {
		if lit[i] != '\\' {
			continue
		}
		if i+1 < len(lit) && lit[i+1] != 'u' {
			i++
			continue
		}
		u, ok := hex4(lit, i+2)
		if !ok {
			return false
		}
		switch {
		case u >= 0xDC00 && u <= 0xDFFF:
			return false // a low surrogate with no high one before it
		case u >= 0xD800 && u <= 0xDBFF:
			if i+7 >= len(lit) || lit[i+6] != '\\' || lit[i+7] != 'u' {
				return false
			}
			lo, ok := hex4(lit, i+8)
			if !ok || lo < 0xDC00 || lo > 0xDFFF {
				return false
			}
			i += 11
		default:
			i += 5
		}
	}
	return true
}

func hex4(b []byte, at int) (uint64, bool) {
	if at+4 > len(b) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(b[at:at+4]), 16, 32)
	return v, err == nil
}

// literalText is a member name as a person can read it in a message.
func literalText(lit []byte) string {
	var s string
	if err := json.Unmarshal(append(append([]byte{'"'}, lit...), '"'), &s); err != nil {
		return strings.ToValidUTF8(string(lit), "?")
	}
	return strings.ToValidUTF8(s, "?")
}

func fieldOr(path string) string {
	if path == "" {
		return "body"
	}
	return path
}
