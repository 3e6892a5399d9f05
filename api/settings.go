package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/tenants"
)

// lowCreditJSON is a credits.low level (domain.LowCreditThreshold): a
// percent of what was granted in each unit, an absolute remaining amount
// per unit name, or both (the amount wins for the units it names). In a
// request, {} clears the level (the next one down applies).
type lowCreditJSON struct {
	Percent   *decimal.Decimal           `json:"percent" openapi:"nullable" doc:"Low once a unit's remaining balance is at or below this share of what was granted in it (more than 0, less than 100)."`
	Remaining map[string]decimal.Decimal `json:"remaining" doc:"Low once the named unit's remaining balance is at or below this amount (by unit: \"credits\", \"USD\")."`
}

func (j *lowCreditJSON) toDomain() *domain.LowCreditThreshold {
	if j == nil {
		return nil
	}
	return &domain.LowCreditThreshold{Percent: j.Percent, Remaining: j.Remaining}
}

// toLowCreditJSON is t in a reply: nil (null) when it sets nothing.
func toLowCreditJSON(t domain.LowCreditThreshold) *lowCreditJSON {
	if t.IsZero() {
		return nil
	}
	out := &lowCreditJSON{Percent: t.Percent, Remaining: t.Remaining}
	if out.Remaining == nil {
		out.Remaining = map[string]decimal.Decimal{}
	}
	return out
}

type settingsJSON struct {
	LowCreditThreshold      *lowCreditJSON  `json:"low_credit_threshold" doc:"The tenant's default credits.low level for customers that set none; null: default_low_credit_percent of what was granted."`
	DefaultLowCreditPercent decimal.Decimal `json:"default_low_credit_percent" doc:"The level when neither the customer nor the tenant sets one."`
}

type settingsUpdateReq struct {
	LowCreditThreshold *lowCreditJSON `json:"low_credit_threshold" doc:"The tenant's default credits.low level; {} clears it; absent or null: unchanged."`
}

func toSettingsJSON(st tenants.Settings) settingsJSON {
	return settingsJSON{LowCreditThreshold: toLowCreditJSON(st.LowCreditThreshold), DefaultLowCreditPercent: domain.DefaultLowCreditPercent}
}

func (s *Server) getSettings(c echo.Context) error {
	st, err := s.Tenants.Settings(c.Request().Context(), tenantOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toSettingsJSON(st))
}

func (s *Server) updateSettings(c echo.Context) error {
	var req settingsUpdateReq
	if err := decode(c, &req); err != nil {
		return err
	}
	st, err := s.Tenants.UpdateSettings(c.Request().Context(), tenantOf(c), tenants.SettingsUpdate{LowCreditThreshold: req.LowCreditThreshold.toDomain()})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toSettingsJSON(st))
}
