package domain

import "time"

// The window of timestamps Tally accepts from a request: [EarliestTime,
// LatestTime). Every store can write and read back any instant in it
// (SQLite's text timestamps and PostgreSQL's TIMESTAMPTZ alike), and so can
// anything computed from it that stays within a few periods (a trial end, a
// period end), which keeps a poison row from ever being stored.
var (
	// EarliestTime is the first instant accepted: 1970-01-01T00:00:00Z.
	EarliestTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	// LatestTime is the first instant refused: 2200-01-01T00:00:00Z.
	LatestTime = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// CheckTime says whether t lies in [EarliestTime, LatestTime); if not it is
// a validation error naming field (its JSON path or query parameter:
// "start_at", "events[3].timestamp", "as_of"). The zero time.Time
// (0001-01-01T00:00:00Z) is outside the window like any other: a caller for
// which a timestamp is optional says "not given" with a nil pointer, never
// with the zero value.
func CheckTime(field string, t time.Time) error {
	var p Problems
	AddInstantProblem(&p, field, t)
	return p.Err()
}

// CheckTimePtr is CheckTime for an optional timestamp: nil (not given) is
// fine.
func CheckTimePtr(field string, t *time.Time) error {
	if t == nil {
		return nil
	}
	return CheckTime(field, *t)
}

// ParseTime reads an RFC 3339 timestamp (fractional seconds and any offset
// allowed, "2026-03-01T00:00:00Z") given in field and checks it with
// CheckTime. The result is in UTC.
func ParseTime(field, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, Invalid(field, "must be an RFC 3339 timestamp (2026-03-01T00:00:00Z), got %q", s)
	}
	if err := CheckTime(field, t); err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

// AddInstantProblem adds the problem CheckTime would report on field to p,
// for validations that collect every problem.
func AddInstantProblem(p *Problems, field string, t time.Time) {
	if t.Before(EarliestTime) || !t.Before(LatestTime) {
		p.Add(field, "must be from %s up to (not including) %s, got %s",
			EarliestTime.Format(time.RFC3339), LatestTime.Format(time.RFC3339), t.Format(time.RFC3339Nano))
	}
}
