package domain

import "time"

// EarliestInstant and LatestInstant bound every timestamp Tally accepts:
// [1970-01-01, 2200-01-01) UTC. Outside it periods, proration and storage
// stop being meaningful (and some stores cannot read such rows back).
var (
	EarliestInstant = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	LatestInstant   = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// CheckInstant returns a validation error on field unless t lies in
// [EarliestInstant, LatestInstant).
func CheckInstant(field string, t time.Time) error {
	var p Problems
	AddInstantProblem(&p, field, t)
	return p.Err()
}

// AddInstantProblem adds a problem on field to p unless t lies in
// [EarliestInstant, LatestInstant).
func AddInstantProblem(p *Problems, field string, t time.Time) {
	if t.Before(EarliestInstant) || !t.Before(LatestInstant) {
		p.Add(field, "must lie between %s and %s, got %s", EarliestInstant.Format(time.RFC3339),
			LatestInstant.Format(time.RFC3339), t.UTC().Format(time.RFC3339Nano))
	}
}
