package api

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/tallyhq/tally/idempotency"
)

// fakeKeys claims every key and records what became of the claim.
type fakeKeys struct {
	completed []idempotency.Response
	released  int
}

func (f *fakeKeys) Begin(_ context.Context, r idempotency.Request) (idempotency.Claim, error) {
	return idempotency.Claim{Request: r}, nil
}

func (f *fakeKeys) Complete(_ context.Context, _ idempotency.Claim, resp idempotency.Response) error {
	f.completed = append(f.completed, resp)
	return nil
}

func (f *fakeKeys) Release(context.Context, idempotency.Claim) error {
	f.released++
	return nil
}

func TestWhatTheIdempotencyMiddlewareStores(t *testing.T) {
	cases := []struct {
		name         string
		handler      echo.HandlerFunc
		wantStatus   int
		wantStored   bool
		wantReleased bool
	}{
		{"a success is stored with its body and content type", func(c echo.Context) error {
			return c.JSON(http.StatusCreated, map[string]string{"id": "x"})
		}, 201, true, false},
		{"a 4xx returned as an error is stored as the error mapper wrote it", func(c echo.Context) error {
			return echo.NewHTTPError(http.StatusNotFound, "gone")
		}, 404, true, false},
		{"a 500 is not stored: the key is released so a retry runs again", func(c echo.Context) error {
			return errors.New("database down")
		}, 500, false, true},
		{"a 502 written by the handler is not stored either", func(c echo.Context) error {
			return c.JSON(http.StatusBadGateway, map[string]string{"error": "stripe"})
		}, 502, false, true},
		{"a panic releases the key", func(c echo.Context) error {
			panic("boom")
		}, 500, false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			keys := &fakeKeys{}
			s := New(&Services{Idempotency: keys}, Config{RootKey: "root"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
			s.echo.Add("POST", "/test", tc.handler, s.authenticate(Root), s.idempotent)
			req := httptest.NewRequest("POST", "/test", strings.NewReader(`{}`))
			req.Header.Set("Authorization", "Bearer root")
			req.Header.Set(HeaderIdempotencyKey, "k")
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			if rec.Code != tc.wantStatus {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.wantStatus, rec.Body)
			}
			if stored := len(keys.completed) == 1; stored != tc.wantStored {
				t.Errorf("stored = %v, want %v", stored, tc.wantStored)
			}
			if released := keys.released == 1; released != tc.wantReleased {
				t.Errorf("released = %v (%d times), want %v", released, keys.released, tc.wantReleased)
			}
			if tc.wantStored {
				got := keys.completed[0]
				if got.Status != rec.Code || string(got.Body) != rec.Body.String() || got.ContentType != rec.Header().Get("Content-Type") {
					t.Errorf("stored %d %q %s, sent %d %q %s", got.Status, got.ContentType, got.Body, rec.Code, rec.Header().Get("Content-Type"), rec.Body)
				}
			}
		})
	}
}

func TestCanonicalBody(t *testing.T) {
	for _, tc := range []struct{ name, a, b string }{
		{"key order and spacing do not matter", `{"a":1,"b":[1,2]}`, " {\"b\": [1, 2],\n \"a\": 1} "},
		{"a number is kept as written", `{"a":10}`, `{"a":10}`},
	} {
		if string(canonicalBody([]byte(tc.a))) != string(canonicalBody([]byte(tc.b))) {
			t.Errorf("%s: %s and %s differ", tc.name, tc.a, tc.b)
		}
	}
	for _, tc := range []struct{ name, a, b string }{
		{"10 and 10.0 differ", `{"a":10}`, `{"a":10.0}`},
		{"invalid UTF-8 is compared byte for byte", "{\"a\":\"\xff\"}", "{\"a\":\"\xfe\"}"},
		{"two JSON values are compared byte for byte", `{} {}`, `{}  {}`},
	} {
		if string(canonicalBody([]byte(tc.a))) == string(canonicalBody([]byte(tc.b))) {
			t.Errorf("%s: %q and %q compare equal", tc.name, tc.a, tc.b)
		}
	}
}
