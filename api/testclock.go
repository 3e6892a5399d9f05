package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/tallyhq/tally/domain"
)

// useTestClock puts the tenant's test clock, if it has one, into the
// request's context, so that every service reads it as "now" (api.md,
// "Test clock"). It does nothing unless TALLY_TEST_CLOCK is on.
func (s *Server) useTestClock(c echo.Context, tenantID string) error {
	if !s.cfg.TestClock {
		return nil
	}
	now, ok, err := s.Tenants.TestClock(c.Request().Context(), tenantID)
	if err != nil || !ok {
		return err
	}
	c.SetRequest(c.Request().WithContext(domain.WithNow(c.Request().Context(), now)))
	return nil
}

type testClockJSON struct {
	Now     time.Time `json:"now"`
	Enabled bool      `json:"set"`
}

type testClockIn struct {
	Now string `json:"now" openapi:"required,date-time"`
}

// testClockOff answers 404 when test clocks are disabled, as if the route
// did not exist.
func (s *Server) testClockOff() error {
	if s.cfg.TestClock {
		return nil
	}
	return echo.NewHTTPError(http.StatusNotFound, "test clocks are off (TALLY_TEST_CLOCK=on enables them)")
}

func (s *Server) getTestClock(c echo.Context) error {
	if err := s.testClockOff(); err != nil {
		return err
	}
	now, ok, err := s.Tenants.TestClock(c.Request().Context(), tenantOf(c))
	if err != nil {
		return err
	}
	if !ok {
		now = s.Clock.Now(c.Request().Context())
	}
	return c.JSON(http.StatusOK, testClockJSON{Now: now, Enabled: ok})
}

func (s *Server) setTestClock(c echo.Context) error {
	if err := s.testClockOff(); err != nil {
		return err
	}
	var in testClockIn
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Now == "" {
		return domain.Invalid("now", "is required (an RFC 3339 timestamp)")
	}
	t, err := time.Parse(time.RFC3339Nano, in.Now)
	if err != nil {
		return domain.Invalid("now", "must be an RFC 3339 timestamp, got %q", in.Now)
	}
	now, err := s.Tenants.SetTestClock(c.Request().Context(), tenantOf(c), t)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, testClockJSON{Now: now, Enabled: true})
}

func (s *Server) clearTestClock(c echo.Context) error {
	if err := s.testClockOff(); err != nil {
		return err
	}
	if err := s.Tenants.ClearTestClock(c.Request().Context(), tenantOf(c)); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, testClockJSON{Now: s.Clock.Now(domain.WithoutNow(c.Request().Context())), Enabled: false})
}
