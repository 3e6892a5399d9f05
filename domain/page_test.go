package domain

import (
	"strconv"
	"testing"
)

func TestPageNormalize(t *testing.T) {
	for _, tc := range []struct {
		name  string
		limit int
		want  int
		ok    bool
	}{
		{"no limit means the default 50", 0, DefaultPageLimit, true},
		{"1 is the smallest limit", 1, 1, true},
		{"500 is the largest", MaxPageLimit, MaxPageLimit, true},
		{"501 is refused", MaxPageLimit + 1, 0, false},
		{"a negative limit is refused", -1, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Page{Limit: tc.limit}.Normalize()
			if tc.ok != (err == nil) {
				t.Fatalf("Normalize(%d) error = %v, want ok %v", tc.limit, err, tc.ok)
			}
			if err != nil {
				if e, _ := AsError(err); e == nil || e.Fields[0].Field != "limit" {
					t.Errorf("error %v does not name limit", err)
				}
				return
			}
			if p.Limit != tc.want {
				t.Errorf("Limit = %d, want %d", p.Limit, tc.want)
			}
		})
	}
}

func TestPageOf(t *testing.T) {
	cursor := func(n int) string { return strconv.Itoa(n) }
	for _, tc := range []struct {
		name       string
		rows       []int
		limit      int
		wantLen    int
		wantCursor string
	}{
		{"fewer rows than the limit are the last page", []int{1, 2}, 3, 2, ""},
		{"exactly the limit is the last page", []int{1, 2, 3}, 3, 3, ""},
		{"one row more than the limit says there is a next page after the last kept", []int{1, 2, 3, 4}, 3, 3, "3"},
		{"no rows is an empty, non-nil page", nil, 3, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := PageOf(tc.rows, tc.limit, cursor)
			if len(l.Data) != tc.wantLen || l.NextCursor != tc.wantCursor || l.Data == nil {
				t.Errorf("PageOf = %v (cursor %q), want %d rows and cursor %q", l.Data, l.NextCursor, tc.wantLen, tc.wantCursor)
			}
		})
	}
}
