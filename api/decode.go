package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/tallyhq/tally/domain"
)

// decode reads a JSON object body into v. Broken JSON is malformed (400);
// JSON of the wrong shape or type is invalid (422) with the field named.
// Unknown fields are ignored, as Stripe's and Lago's clients expect.
func decode(c echo.Context, v any) error {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var tooBig interface{ Error() string }
		if errors.As(err, &tooBig) && strings.Contains(err.Error(), "too large") {
			return echo.NewHTTPError(413, "request body too large")
		}
		return domain.Malformed("could not read the request body: %v", err)
	}
	return decodeBytes(body, v)
}

func decodeBytes(body []byte, v any) error {
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
	if err := json.Unmarshal(body, v); err != nil {
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
	return nil
}

func describeType(t string) string {
	switch {
	case strings.Contains(t, "Decimal"):
		return "a decimal (string or number)"
	case strings.Contains(t, "Time"):
		return "an RFC 3339 timestamp"
	case strings.HasPrefix(t, "[]"), strings.HasPrefix(t, "*[]"):
		return "an array"
	case strings.HasPrefix(t, "map"), strings.Contains(t, "Filters"):
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

// queryTime reads an optional RFC 3339 query parameter.
func queryTime(c echo.Context, name string) (*time.Time, error) {
	v := c.QueryParam(name)
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return nil, domain.Invalid(name, "must be an RFC 3339 timestamp (2026-03-01T00:00:00Z), got %q", v)
	}
	return &t, nil
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
	NextCursor *string `json:"next_cursor"`
}

func listOf[S, T any](l domain.List[S], conv func(S) T) listBody[T] {
	out := make([]T, len(l.Data))
	for i, x := range l.Data {
		out[i] = conv(x)
	}
	return listBody[T]{Data: out, NextCursor: cursorPtr(l.NextCursor)}
}

var _ = fmt.Sprintf
