package idempotency

import (
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/tallyhq/tally/domain"
)

// header is the field name errors about the key report.
const header = "Idempotency-Key"

// validate checks the key a client sent (Owner is set by api, never by a
// client, so an empty one is a bug).
func (r Request) validate() error {
	if r.Owner == "" {
		return fmt.Errorf("idempotency request without an owner")
	}
	switch {
	case r.Key == "":
		return domain.Invalid(header, "must not be empty")
	case len(r.Key) > MaxKeyLength:
		return domain.Invalid(header, "must be at most %d characters", MaxKeyLength)
	case !utf8.ValidString(r.Key):
		return domain.Invalid(header, "must be UTF-8")
	}
	for _, c := range r.Key {
		if !unicode.IsPrint(c) {
			return domain.Invalid(header, "must hold printable characters only")
		}
	}
	return nil
}

// reused is the 422 for a key sent again with another request.
func reused(first keyRow) error {
	return &domain.Error{Kind: domain.KindValidation, Code: "idempotency_key_reused",
		Message: "this Idempotency-Key was already used for a different request; send a new request with a new key",
		Fields:  []domain.FieldError{{Field: header, Message: fmt.Sprintf("first used for %s %s with another body or path", first.Method, first.Path)}}}
}

// inProgress is the 409 for a retry while the first request still runs.
func inProgress() error {
	return domain.Conflict("idempotency_in_progress", "a request with this Idempotency-Key is still in progress; retry in a moment")
}
