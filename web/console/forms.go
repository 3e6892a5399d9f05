package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
)

// formState is a form being shown again: what was typed and what is wrong
// with it, by the domain's field paths ("prices[0].amount").
type formState struct {
	Values url.Values
	// Errors are the problems by field path; Problems all of them in order
	// (the summary at the top of the form), Message a problem that names no
	// field (a conflict).
	Errors   map[string]string
	Problems []domain.FieldError
	Message  string
}

// V returns the typed value of a field.
func (f formState) V(name string) string { return f.Values.Get(name) }

// E returns the problem of a field path, "" when none.
func (f formState) E(path string) string { return f.Errors[path] }

// Invalid is whether the form has any problem to show.
func (f formState) Invalid() bool { return len(f.Problems) > 0 || f.Message != "" }

// newForm reads the submitted form.
func newForm(ec echo.Context) formState {
	vals, _ := ec.FormParams()
	if vals == nil {
		vals = url.Values{}
	}
	return formState{Values: vals, Errors: map[string]string{}}
}

// refuse fills the form's problems from a domain error and returns the
// status to show it with: 422 for invalid input, 409 for a conflict. Any
// other error is not the form's (ok false): the caller returns it.
func (f *formState) refuse(err error) (int, bool) {
	de, ok := domain.AsError(err)
	if !ok {
		return 0, false
	}
	switch de.Kind {
	case domain.KindValidation, domain.KindMalformed:
		f.Problems = append(f.Problems, de.Fields...)
		for _, fe := range de.Fields {
			if _, seen := f.Errors[fe.Field]; !seen {
				f.Errors[fe.Field] = fe.Message
			}
		}
		if len(de.Fields) == 0 {
			f.Message = de.Message
		}
		return http.StatusUnprocessableEntity, true
	case domain.KindConflict:
		f.Message = de.Message
		return http.StatusConflict, true
	}
	return 0, false
}

// add records one problem the page found itself while reading a field (a
// number that is not a number), under the domain's name for the field.
func (f *formState) add(path, msg string) {
	f.Problems = append(f.Problems, domain.FieldError{Field: path, Message: msg})
	if _, seen := f.Errors[path]; !seen {
		f.Errors[path] = msg
	}
}

// err returns the problems the page found as one validation error, or nil.
func (f *formState) err() error {
	if len(f.Problems) == 0 {
		return nil
	}
	var p domain.Problems
	for _, fe := range f.Problems {
		p.Add(fe.Field, "%s", fe.Message)
	}
	f.Problems, f.Errors = nil, map[string]string{}
	return p.Err()
}

// decimalField reads an optional decimal field named name (reported as
// path): nil when empty.
func (f *formState) decimalField(name, path string) *decimal.Decimal {
	s := strings.TrimSpace(f.V(name))
	if s == "" {
		return nil
	}
	d, err := decimal.NewFromString(strings.ReplaceAll(s, ",", ""))
	if err != nil {
		f.add(path, "must be a number such as 0.25 or 1000")
		return nil
	}
	return &d
}

// intField reads an optional whole number; a value that is not one adds
// problem at path and reads as nil.
func (f *formState) intField(name, path, problem string) *int {
	s := strings.TrimSpace(f.V(name))
	if s == "" {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		f.add(path, problem)
		return nil
	}
	return &n
}

// timeField reads an optional date (2026-12-01) or date and time
// (2026-12-01T14:00, as <input type="datetime-local"> sends) in loc.
func (f *formState) timeField(name, path string, loc *time.Location) *time.Time {
	s := strings.TrimSpace(f.V(name))
	if s == "" {
		return nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02", time.RFC3339} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return &t
		}
	}
	f.add(path, "must be a date such as 2026-12-01 or a date and time such as 2026-12-01T14:00")
	return nil
}

// pageOf reads ?cursor= for a list page of limit rows.
func pageOf(ec echo.Context, limit int) domain.Page {
	return domain.Page{Limit: limit, Cursor: ec.QueryParam("cursor")}
}

// urlQueryEscape escapes a query value.
func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// doneURL is path with the flash notice name.
func doneURL(path, name string) string {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + "done=" + name
}

// nextURL is the address of the next page of a list: this page's path and
// query (its filters) with ?cursor= set; "" when there is none.
func nextURL(ec echo.Context, cursor string) string {
	if cursor == "" {
		return ""
	}
	q := ec.Request().URL.Query()
	q.Set("cursor", cursor)
	q.Del("done")
	return ec.Request().URL.Path + "?" + q.Encode()
}
