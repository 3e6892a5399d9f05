package api

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"
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
	// CostPerUnit and CostCurrency go together: what one unit costs the
	// tenant to serve, never invoiced.
	CostPerUnit  *decimal.Decimal `json:"cost_per_unit" doc:"What one unit costs the tenant to serve (with cost_currency); never invoiced."`
	CostCurrency string           `json:"cost_currency"`
}

type meterUpdateReq struct {
	Name         *string          `json:"name"`
	Unit         *string          `json:"unit"`
	CostPerUnit  *decimal.Decimal `json:"cost_per_unit" doc:"With cost_currency; both null removes the cost."`
	CostCurrency *string          `json:"cost_currency"`
	costGiven    bool
}

// UnmarshalJSON notes whether the cost was named at all (null included).
func (r *meterUpdateReq) UnmarshalJSON(b []byte) error {
	type plain meterUpdateReq
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if err := json.Unmarshal(b, (*plain)(r)); err != nil {
		return err
	}
	_, a := raw["cost_per_unit"]
	_, c := raw["cost_currency"]
	r.costGiven = a || c
	return nil
}

type meterJSON struct {
	ID           string          `json:"id"`
	Key          string          `json:"key"`
	Name         string          `json:"name"`
	EventName    string          `json:"event_name"`
	Aggregation  aggregationJSON `json:"aggregation"`
	Filters      meters.Filters  `json:"filters"`
	Unit         string          `json:"unit"`
	CostPerUnit  *string         `json:"cost_per_unit" openapi:"decimal" doc:"What one unit costs the tenant to serve; null when not declared."`
	CostCurrency *string         `json:"cost_currency"`
	ArchivedAt   *string         `json:"archived_at" openapi:"date-time"`
	CreatedAt    string          `json:"created_at" openapi:"date-time"`
	UpdatedAt    string          `json:"updated_at" openapi:"date-time"`
}

func toMeterJSON(m meters.Meter) meterJSON {
	f := m.Filters
	if f == nil {
		f = meters.Filters{}
	}
	out := meterJSON{ID: m.ID, Key: m.Key, Name: m.Name, EventName: m.EventName,
		Aggregation: aggregationJSON{Type: string(m.Aggregation.Type), Field: m.Aggregation.Field},
		Filters:     f, Unit: m.Unit, ArchivedAt: fmtTimePtr(m.ArchivedAt), CreatedAt: fmtTime(m.CreatedAt), UpdatedAt: fmtTime(m.UpdatedAt)}
	if m.Cost != nil {
		out.CostPerUnit, out.CostCurrency = strPtr(m.Cost.PerUnit.String()), strPtr(string(m.Cost.Currency))
	}
	return out
}

func (s *Server) createMeter(c echo.Context) error {
	var req meterReq
	if err := decode(c, &req); err != nil {
		return err
	}
	m, err := s.Meters.Create(c.Request().Context(), tenantOf(c), meters.CreateInput{Key: req.Key, Name: req.Name, EventName: req.EventName,
		Aggregation: meters.Aggregation{Type: meters.AggregationType(req.Aggregation.Type), Field: req.Aggregation.Field},
		Filters:     req.Filters, Unit: req.Unit, Cost: meters.CostInput{PerUnit: req.CostPerUnit, Currency: req.CostCurrency}})
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
	in := meters.UpdateInput{Name: req.Name, Unit: req.Unit}
	if req.costGiven {
		in.Cost = &meters.CostInput{PerUnit: req.CostPerUnit}
		if req.CostCurrency != nil {
			in.Cost.Currency = *req.CostCurrency
		}
	}
	m, err := s.Meters.Update(c.Request().Context(), tenantOf(c), c.Param("id"), in)
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
