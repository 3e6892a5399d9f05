package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/tallyhq/tally/domain"
)

// decode reads a JSON object body into v. Broken JSON is malformed (400);
// JSON of the wrong shape or type is invalid (422) with the field named, as
// is a decimal beyond the request limits (domain.CheckDecimal: 18 digits
// before the point, 12 after) or a text beyond domain.MaxText characters.
// Unknown fields are ignored, as Stripe's and Lago's clients expect.
func decode(c echo.Context, v any) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	return decodeBytes(body, v)
}

// decodeEnvelope is decode for a body whose items are checked one by one
// later (a batch of events, each rejected by index): it does not refuse the
// whole body for one item's invalid text.
func decodeEnvelope(c echo.Context, v any) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	return decodeJSON(body, v, false)
}

func readBody(c echo.Context) ([]byte, error) {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		// echo's BodyLimit reader fails with its own 413 once a body of
		// unknown length (chunked) passes the limit.
		var he *echo.HTTPError
		if errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge {
			return nil, echo.NewHTTPError(http.StatusRequestEntityTooLarge, "request body too large")
		}
		return nil, domain.Malformed("could not read the request body: %v", err)
	}
	return body, nil
}

// decodeBytes decodes a JSON object body into v, refusing text that is not
// valid Unicode (see textProblems).
func decodeBytes(body []byte, v any) error { return decodeJSON(body, v, true) }

func decodeJSON(body []byte, v any, checkText bool) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return domain.Malformed("the request needs a JSON object body")
	}
	if !json.Valid(body) {
		return domain.Malformed("the request body is not valid JSON")
	}
	if body[0] != '{' {
		return domain.Malformed("the request body must be a JSON object")
	}
	if checkText {
		if err := textProblems(body); err != nil {
			return err
		}
	}
	if bytes.Contains(body, []byte(`\u0000`)) {
		// No store keeps NUL in text (PostgreSQL refuses it): name the
		// values that hold one instead of failing at the INSERT.
		var p domain.Problems
		typeProblems(&p, body, reflect.TypeOf(v), "")
		if !p.Empty() {
			return p.Err()
		}
	}
	if err := json.Unmarshal(body, v); err != nil {
		// Name every value of the wrong type by its JSON path
		// ("prices[1].amount"), not just the first, and not by Go's words.
		var p domain.Problems
		typeProblems(&p, body, reflect.TypeOf(v), "")
		if !p.Empty() {
			return p.Err()
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			field := te.Field
			if field == "" {
				field = "body"
			}
			return domain.Invalid(field, "must be %s, not a JSON %s", describeType(te.Type.String()), te.Value)
		}
		return domain.Invalid("body", "%s", err.Error())
	}
	var p domain.Problems
	requestLimitProblems(&p, reflect.ValueOf(v), "")
	return p.Err()
}

// checkURL refuses a path or query holding NUL characters or invalid UTF-8,
// which no id or name can hold and PostgreSQL refuses to compare with: a
// malformed request, not a server error.
func checkURL(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		u := c.Request().URL
		bad := func(s string) bool { return strings.ContainsRune(s, 0) || !utf8.ValidString(s) }
		if bad(u.Path) {
			return domain.Malformed("the path must not contain NUL characters or invalid UTF-8")
		}
		for name, vals := range u.Query() {
			for _, v := range vals {
				if bad(name) || bad(v) {
					return domain.Malformed("query parameter %q must not contain NUL characters or invalid UTF-8", strings.ToValidUTF8(strings.ReplaceAll(name, "\x00", ""), ""))
				}
			}
		}
		return next(c)
	}
}

var unmarshalerType = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()

// typeProblems walks a JSON value against the Go type it decodes into and
// records each value whose JSON type (or, for types that parse themselves,
// such as decimals and timestamps, whose text) does not fit, under its path.
func typeProblems(p *domain.Problems, raw []byte, t reflect.Type, path string) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	field := path
	if field == "" {
		field = "body"
	}
	if t == reflect.TypeOf(json.RawMessage{}) {
		return
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) || t.Kind() == reflect.Interface {
		if err := json.Unmarshal(raw, reflect.New(t).Interface()); err != nil {
			p.Add(field, "must be %s, not %s", describeType(t.String()), jsonKind(raw))
		}
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		var m map[string]json.RawMessage
		if raw[0] != '{' || json.Unmarshal(raw, &m) != nil {
			p.Add(field, "must be an object, not %s", jsonKind(raw))
			return
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, decoded := jsonName(f)
			if !decoded {
				continue
			}
			val, ok := m[name]
			if !ok { // encoding/json matches keys case-insensitively
				for k, x := range m {
					if strings.EqualFold(k, name) {
						val, ok = x, true
						break
					}
				}
			}
			if ok {
				typeProblems(p, val, f.Type, joinPath(path, name))
			}
		}
	case reflect.Slice, reflect.Array:
		var items []json.RawMessage
		if raw[0] != '[' || json.Unmarshal(raw, &items) != nil {
			p.Add(field, "must be an array, not %s", jsonKind(raw))
			return
		}
		for i, x := range items {
			typeProblems(p, x, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
		}
	case reflect.Map:
		var m map[string]json.RawMessage
		if raw[0] != '{' || json.Unmarshal(raw, &m) != nil {
			p.Add(field, "must be an object, not %s", jsonKind(raw))
			return
		}
		for k, x := range m {
			if strings.ContainsRune(k, 0) {
				p.Add(field, "must not have names with NUL characters")
				continue
			}
			typeProblems(p, x, t.Elem(), joinPath(path, k))
		}
	default:
		val := reflect.New(t)
		if err := json.Unmarshal(raw, val.Interface()); err != nil {
			p.Add(field, "must be %s, not %s", describeType(t.String()), jsonKind(raw))
		} else if t.Kind() == reflect.String && strings.ContainsRune(val.Elem().String(), 0) {
			p.Add(field, "must not contain NUL characters")
		}
	}
}

// jsonName is the JSON name encoding/json decodes field from, and false
// for a field it never decodes (unexported or tagged "-").
func jsonName(f reflect.StructField) (string, bool) {
	name := strings.Split(f.Tag.Get("json"), ",")[0]
	if !f.IsExported() || name == "-" {
		return "", false
	}
	if name == "" {
		name = f.Name
	}
	return name, true
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// jsonKind names a JSON value's type for a message, with a short excerpt of
// strings (so "ten" shows why it is not a decimal).
func jsonKind(raw []byte) string {
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		s := string(raw)
		if len(s) > 42 {
			s = strings.ToValidUTF8(s[:41], "") + "…\""
		}
		return "the string " + s
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

func describeType(t string) string {
	switch {
	case strings.Contains(t, "Decimal"):
		return "a decimal (string or number)"
	case strings.Contains(t, "Time"):
		return "an RFC 3339 timestamp"
	case strings.HasPrefix(t, "[]"), strings.HasPrefix(t, "*[]"):
		return "an array"
	case strings.Contains(t, "Filters"):
		return "an object of lists of strings, numbers or booleans"
	case strings.HasPrefix(t, "map"):
		return "an object"
	case strings.Contains(t, "int"):
		return "an integer"
	case strings.Contains(t, "bool"):
		return "a boolean"
	case strings.Contains(t, "string"):
		return "a string"
	}
	return "a " + t
}

// page reads ?limit= and ?cursor=.
func page(c echo.Context) (domain.Page, error) {
	p := domain.Page{Cursor: c.QueryParam("cursor")}
	if l := c.QueryParam("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil {
			return p, domain.Invalid("limit", "must be an integer")
		}
		p.Limit = n
	}
	return p.Normalize()
}

// queryTime reads an optional RFC 3339 query parameter (nil when not
// given), which must lie in the window of domain.CheckTime (a 422 naming the
// parameter otherwise).
func queryTime(c echo.Context, name string) (*time.Time, error) {
	v := c.QueryParam(name)
	if v == "" {
		return nil, nil
	}
	t, err := domain.ParseTime(name, v)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// atTime checks an "at" that is a keyword or a timestamp ("now",
// "period_end" or RFC 3339): a timestamp must lie in the window of
// domain.CheckTime. Keywords and other text are left to the service.
func atTime(field, at string) error {
	if at == "" || at == "now" || at == "period_end" {
		return nil
	}
	if _, err := time.Parse(time.RFC3339Nano, at); err != nil {
		return nil // not a timestamp: the service says what it accepts
	}
	_, err := domain.ParseTime(field, at)
	return err
}

// queryBool reads an optional boolean query parameter.
func queryBool(c echo.Context, name string) (bool, error) {
	v := c.QueryParam(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, domain.Invalid(name, "must be true or false")
	}
	return b, nil
}

func fmtTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func fmtTimePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := fmtTime(*t)
	return &s
}

func cursorPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

type listBody[T any] struct {
	Data       []T     `json:"data"`
	NextCursor *string `json:"next_cursor" doc:"null on the last page."`
}

func listOf[S, T any](l domain.List[S], conv func(S) T) listBody[T] {
	out := make([]T, len(l.Data))
	for i, x := range l.Data {
		out[i] = conv(x)
	}
	return listBody[T]{Data: out, NextCursor: cursorPtr(l.NextCursor)}
}
