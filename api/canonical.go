package api

import (
	"bytes"
	"encoding/json"
	"io"
	"unicode/utf8"
)

// canonicalBody returns the form of a request body that idempotent retries
// are compared by: one JSON value re-encoded with sorted object keys and no
// insignificant white space, numbers exactly as written ("10" and "10.0"
// differ), so a client that re-serializes the same request still matches.
// Anything else — empty, not JSON, several values, invalid UTF-8 (which the
// JSON decoder would rewrite) — is compared byte for byte. Duplicate object
// keys keep the last value, as the handlers read them.
func canonicalBody(body []byte) []byte {
	if len(body) == 0 || !utf8.Valid(body) {
		return body
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return body
	}
	if _, err := dec.Token(); err != io.EOF {
		return body
	}
	out, err := json.Marshal(v)
	if err != nil {
		return body
	}
	return out
}
