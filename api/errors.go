package api

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
)

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string              `json:"code"`
	Message string              `json:"message"`
	Details []domain.FieldError `json:"details"`
}

func statusOf(k domain.Kind) int { return domain.HTTPStatus(k) }

// errorHandler is echo's HTTPErrorHandler: the one place errors become
// responses.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	body := errorBody{Error: errorDetail{Details: []domain.FieldError{}}}
	status := http.StatusInternalServerError
	var he *echo.HTTPError
	if e, ok := domain.AsError(err); ok {
		status = statusOf(e.Kind)
		body.Error.Code, body.Error.Message = e.Code, e.Message
		if e.Fields != nil {
			body.Error.Details = e.Fields
		}
	} else if errors.As(err, &he) {
		status = he.Code
		body.Error.Code = codeForStatus(he.Code)
		if msg, ok := he.Message.(string); ok {
			body.Error.Message = msg
		} else {
			body.Error.Message = http.StatusText(he.Code)
		}
	}
	if status == http.StatusInternalServerError && store.IsUnavailable(err) {
		// The database is down or refusing work: retry later, not a bug.
		status = http.StatusServiceUnavailable
		body.Error.Code, body.Error.Message = "unavailable", "the database is unavailable for now; retry after a few seconds"
		c.Response().Header().Set("Retry-After", "5")
		s.log.Warn("database unavailable", slog.String("request_id", requestID(c)), slog.String("path", c.Path()), slog.Any("error", err))
	}
	if status == http.StatusInternalServerError {
		body.Error.Code = "internal_error"
		body.Error.Message = "internal error; the request id is in the X-Request-Id header"
		s.log.Error("request failed", slog.String("request_id", requestID(c)), slog.String("path", c.Path()), slog.Any("error", err))
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	_ = c.JSON(status, body)
}

func codeForStatus(status int) string {
	switch status {
	case http.StatusNotFound:
		return "not_found"
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	case http.StatusRequestEntityTooLarge:
		return "request_too_large"
	case http.StatusTooManyRequests:
		return "rate_limited"
	case http.StatusUnauthorized:
		return "unauthorized"
	case http.StatusBadRequest:
		return "malformed_request"
	case http.StatusBadGateway:
		return "stripe_error"
	}
	return "error"
}
