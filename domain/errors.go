package domain

import (
	"errors"
	"fmt"
	"strings"
)

// Kind classifies an error for the one HTTP error mapper in package api.
type Kind string

const (
	KindNotFound     Kind = "not_found"
	KindConflict     Kind = "conflict"
	KindValidation   Kind = "validation"
	KindForbidden    Kind = "forbidden"
	KindUnauthorized Kind = "unauthorized"
	KindMalformed    Kind = "malformed"
)

// FieldError names one problem with one input field, by its JSON path
// ("prices[1].tiers[0].up_to").
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is a typed error. Wrap it with %w freely: KindOf and AsError find it.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	Fields  []FieldError
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return e.Message + ": " + strings.Join(parts, "; ")
}

// NotFound says the named resource does not exist (or is another tenant's).
func NotFound(what, id string) error {
	return &Error{Kind: KindNotFound, Code: "not_found", Message: fmt.Sprintf("%s %q not found", what, id)}
}

// Conflict says the request clashes with the current state: a duplicate key or
// an illegal state change.
func Conflict(code, format string, args ...any) error {
	return &Error{Kind: KindConflict, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Forbidden says the caller is known but may not do this.
func Forbidden(format string, args ...any) error {
	return &Error{Kind: KindForbidden, Code: "forbidden", Message: fmt.Sprintf(format, args...)}
}

// Unauthorized says the caller presented no key or an unknown one.
func Unauthorized(msg string) error {
	return &Error{Kind: KindUnauthorized, Code: "unauthorized", Message: msg}
}

// Malformed says the request could not be parsed at all.
func Malformed(format string, args ...any) error {
	return &Error{Kind: KindMalformed, Code: "malformed_request", Message: fmt.Sprintf(format, args...)}
}

// Invalid is a single-field validation error.
func Invalid(field, format string, args ...any) error {
	var p Problems
	p.Add(field, format, args...)
	return p.Err()
}

// AsError returns the typed error inside err, if any.
func AsError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// KindOf returns err's kind, or "" for an untyped error (a bug, or an outage).
func KindOf(err error) Kind {
	if e, ok := AsError(err); ok {
		return e.Kind
	}
	return ""
}

// Problems collects every validation problem of one input before failing, so
// that a client learns all of them from one request.
type Problems struct {
	list []FieldError
}

// Add records a problem with field.
func (p *Problems) Add(field, format string, args ...any) {
	p.list = append(p.list, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Merge adds the field problems of err (a validation error) under prefix; any
// other error is recorded against prefix itself.
func (p *Problems) Merge(prefix string, err error) {
	if err == nil {
		return
	}
	e, ok := AsError(err)
	if !ok || e.Kind != KindValidation {
		p.Add(prefix, "%s", err.Error())
		return
	}
	for _, f := range e.Fields {
		name := f.Field
		if prefix != "" {
			if strings.HasPrefix(name, "[") {
				name = prefix + name
			} else {
				name = prefix + "." + name
			}
		}
		p.list = append(p.list, FieldError{Field: name, Message: f.Message})
	}
}

// Empty reports whether no problem was recorded.
func (p *Problems) Empty() bool { return len(p.list) == 0 }

// Err returns a validation error holding every problem, or nil if none.
func (p *Problems) Err() error {
	if len(p.list) == 0 {
		return nil
	}
	return &Error{Kind: KindValidation, Code: "validation_failed", Message: "invalid request", Fields: append([]FieldError(nil), p.list...)}
}

// HTTPStatus is the one mapping of error kinds to HTTP statuses, shared by
// the API's JSON errors and the pages' error pages: malformed 400,
// unauthorized 401, forbidden 403, not found 404, conflict 409, validation
// 422, anything else (an unknown kind) 500.
func HTTPStatus(k Kind) int {
	switch k {
	case KindMalformed:
		return 400
	case KindUnauthorized:
		return 401
	case KindForbidden:
		return 403
	case KindNotFound:
		return 404
	case KindConflict:
		return 409
	case KindValidation:
		return 422
	}
	return 500
}
