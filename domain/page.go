package domain

import "fmt"

// Page limits, per the API contract.
const (
	DefaultPageLimit = 50
	MaxPageLimit     = 500
)

// Page asks for one page of a list: at most Limit items after Cursor (an
// opaque value taken from the previous page's NextCursor; "" = first page).
type Page struct {
	Limit  int
	Cursor string
}

// Normalize applies the default limit and checks the bounds.
func (p Page) Normalize() (Page, error) {
	if p.Limit == 0 {
		p.Limit = DefaultPageLimit
	}
	if p.Limit < 1 || p.Limit > MaxPageLimit {
		return p, Invalid("limit", "must be between 1 and %d", MaxPageLimit)
	}
	return p, nil
}

// List is one page of results. NextCursor is "" on the last page.
type List[T any] struct {
	Data       []T
	NextCursor string
}

// PageOf cuts rows fetched with limit+1 into a page: the extra row, if
// present, says there is a next page, whose cursor is cursorOf(last row kept).
func PageOf[T any](rows []T, limit int, cursorOf func(T) string) List[T] {
	if len(rows) <= limit {
		if rows == nil {
			rows = []T{}
		}
		return List[T]{Data: rows}
	}
	rows = rows[:limit]
	return List[T]{Data: rows, NextCursor: cursorOf(rows[len(rows)-1])}
}

// String describes the page for logs.
func (p Page) String() string { return fmt.Sprintf("limit=%d cursor=%q", p.Limit, p.Cursor) }
