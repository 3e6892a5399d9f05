package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// healthJSON is the body of /healthz and /readyz.
type healthJSON struct {
	Status string `json:"status" openapi:"enum=health"`
}

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, healthJSON{Status: "ok"})
}

func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	// The body says only ready or not: this route is public, so it never
	// shows the database's address, user or errors (those are logged).
	if err := s.DB.Ping(ctx); err != nil {
		s.log.Warn("readiness: database unreachable", slog.Any("error", err))
		c.Response().Header().Set("Retry-After", "5")
		return c.JSON(http.StatusServiceUnavailable, healthJSON{Status: "unavailable"})
	}
	return c.JSON(http.StatusOK, healthJSON{Status: "ok"})
}
