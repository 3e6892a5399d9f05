package domain

import (
	"fmt"
	"time"
)

// Period is a half-open interval of time [Start, End). An instant equal to End
// belongs to the next period, never to this one. A zero End means unbounded.
type Period struct {
	Start time.Time
	End   time.Time
}

// Contains reports whether t lies in [Start, End).
func (p Period) Contains(t time.Time) bool {
	if t.Before(p.Start) {
		return false
	}
	return p.End.IsZero() || t.Before(p.End)
}

// Overlaps reports whether p and q share at least one instant.
func (p Period) Overlaps(q Period) bool {
	startsBeforeQEnds := q.End.IsZero() || p.Start.Before(q.End)
	qStartsBeforePEnds := p.End.IsZero() || q.Start.Before(p.End)
	return startsBeforeQEnds && qStartsBeforePEnds
}

// Clip returns p narrowed to end no later than t (used for "usage up to at").
func (p Period) Clip(t time.Time) Period {
	if p.End.IsZero() || t.Before(p.End) {
		if t.Before(p.Start) {
			return Period{Start: p.Start, End: p.Start}
		}
		return Period{Start: p.Start, End: t}
	}
	return p
}

// Empty reports whether the period holds no instant.
func (p Period) Empty() bool { return !p.End.IsZero() && !p.Start.Before(p.End) }

func (p Period) String() string {
	return fmt.Sprintf("[%s, %s)", p.Start.Format(time.RFC3339), p.End.Format(time.RFC3339))
}
