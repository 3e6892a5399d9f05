package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/tallyhq/tally/meters"
)

type aggregationJSON struct {
	Type  string `json:"type" openapi:"required,enum=aggregation"`
	Field string `json:"field,omitempty" doc:"The event property aggregated; required except for count."`
}

type meterReq struct {
	Key         string          `json:"key" openapi:"required,min=1"`
	Name        string          `json:"name"`
	EventName   string          `json:"event_name" openapi:"required,min=1"`
	Aggregation aggregationJSON `json:"aggregation" openapi:"required"`
	Filters     meters.Filters  `json:"filters"`
	Unit        string          `json:"unit"`
}

type meterUpdateReq struct {
	Name *string `json:"name"`
	Unit *string `json:"unit"`
}

type meterJSON struct {
	ID          string          `json:"id"`
	Key         string          `json:"key"`
	Name        string          `json:"name"`
	EventName   string          `json:"event_name"`
	Aggregation aggregationJSON `json:"aggregation"`
	Filters     meters.Filters  `json:"filters"`
	Unit        string          `json:"unit"`
	ArchivedAt  *string         `json:"archived_at" openapi:"date-time"`
	CreatedAt   string          `json:"created_at" openapi:"date-time"`
	UpdatedAt   string          `json:"updated_at" openapi:"date-time"`
}

func toMeterJSON(m meters.Meter) meterJSON {
	f := m.Filters
	if f == nil {
		f = meters.Filters{}
	}
	return meterJSON{ID: m.ID, Key: m.Key, Name: m.Name, EventName: m.EventName,
		Aggregation: aggregationJSON{Type: string(m.Aggregation.Type), Field: m.Aggregation.Field},
		Filters:     f, Unit: m.Unit, ArchivedAt: fmtTimePtr(m.ArchivedAt), CreatedAt: fmtTime(m.CreatedAt), UpdatedAt: fmtTime(m.UpdatedAt)}
}

func (s *Server) createMeter(c echo.Context) error {
	var req meterReq
	if err := decode(c, &req); err != nil {
		return err
	}
	m, err := s.Meters.Create(c.Request().Context(), tenantOf(c), meters.CreateInput{Key: req.Key, Name: req.Name, EventName: req.EventName,
		Aggregation: meters.Aggregation{Type: meters.AggregationType(req.Aggregation.Type), Field: req.Aggregation.Field},
		Filters:     req.Filters, Unit: req.Unit})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toMeterJSON(m))
}

func (s *Server) listMeters(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	all, err := queryBool(c, "include_archived")
	if err != nil {
		return err
	}
	l, err := s.Meters.List(c.Request().Context(), tenantOf(c), p, all)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(l, toMeterJSON))
}

func (s *Server) getMeter(c echo.Context) error {
	m, err := s.Meters.Get(c.Request().Context(), tenantOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toMeterJSON(m))
}

func (s *Server) updateMeter(c echo.Context) error {
	var req meterUpdateReq
	if err := decode(c, &req); err != nil {
		return err
	}
	m, err := s.Meters.Update(c.Request().Context(), tenantOf(c), c.Param("id"), meters.UpdateInput{Name: req.Name, Unit: req.Unit})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toMeterJSON(m))
}

func (s *Server) archiveMeter(c echo.Context) error {
	m, err := s.Meters.Archive(c.Request().Context(), tenantOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toMeterJSON(m))
}
