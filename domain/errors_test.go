package domain

import (
	"errors"
	"fmt"
	"testing"
)

func TestKindOf(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want Kind
	}{
		{"a not-found error is not_found", NotFound("invoice", "inv_1"), KindNotFound},
		{"a wrapped conflict is still a conflict", fmt.Errorf("finalize: %w", Conflict("not_draft", "not a draft")), KindConflict},
		{"a field error is a validation error", Invalid("at", "must be now"), KindValidation},
		{"forbidden", Forbidden("read-only key"), KindForbidden},
		{"unauthorized", Unauthorized("no key"), KindUnauthorized},
		{"malformed", Malformed("not JSON"), KindMalformed},
		{"an untyped error has no kind (a bug or an outage)", errors.New("connection refused"), ""},
		{"nil has no kind", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := KindOf(tc.err); got != tc.want {
				t.Errorf("KindOf(%v) = %q, want %q", tc.err, got, tc.want)
			}
		})
	}
}

func TestErrorMessage(t *testing.T) {
	if got := NotFound("invoice", "inv_1").Error(); got != `invoice "inv_1" not found` {
		t.Errorf("not found message = %q", got)
	}
	var p Problems
	p.Add("a", "is required")
	p.Add("b", "must be %d or more", 2)
	if got := p.Err().Error(); got != "invalid request: a: is required; b: must be 2 or more" {
		t.Errorf("validation message = %q", got)
	}
}

func TestProblems(t *testing.T) {
	var p Problems
	if !p.Empty() || p.Err() != nil {
		t.Fatal("no problem recorded, yet Err is not nil")
	}
	p.Add("plan", "is required")
	var tiers Problems
	tiers.Add("[0].up_to", "must be positive")
	tiers.Add("unit_amount", "must not be negative")
	p.Merge("prices[1].tiers", tiers.Err())
	p.Merge("meter", errors.New("database down"))
	p.Merge("ignored", nil)
	p.Merge("", Invalid("limit", "too big"))
	e, ok := AsError(p.Err())
	if !ok || e.Kind != KindValidation || e.Code != "validation_failed" {
		t.Fatalf("Err() = %#v, want a validation error", p.Err())
	}
	want := []FieldError{
		{"plan", "is required"},
		{"prices[1].tiers[0].up_to", "must be positive"},
		{"prices[1].tiers.unit_amount", "must not be negative"},
		{"meter", "database down"},
		{"limit", "too big"},
	}
	if len(e.Fields) != len(want) {
		t.Fatalf("fields = %+v, want %+v", e.Fields, want)
	}
	for i := range want {
		if e.Fields[i] != want[i] {
			t.Errorf("field %d = %+v, want %+v", i, e.Fields[i], want[i])
		}
	}
	// Err copies: adding later does not change an error already returned.
	p.Add("late", "added after")
	if len(e.Fields) != len(want) {
		t.Error("Err() aliases the problem list")
	}
}
