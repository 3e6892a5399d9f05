package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/plans"
	"github.com/tallyhq/tally/plans/rating"
)

type tierJSON struct {
	UpTo       *decimal.Decimal `json:"up_to" doc:"null: no upper bound (the last tier)."`
	UnitAmount *decimal.Decimal `json:"unit_amount"`
	FlatAmount *decimal.Decimal `json:"flat_amount"`
}

type priceJSON struct {
	ID             string           `json:"id,omitempty"`
	Key            string           `json:"key" openapi:"required,min=1"`
	Type           string           `json:"type" openapi:"required,enum=price_type"`
	Model          string           `json:"model" openapi:"required,enum=model"`
	Meter          string           `json:"meter,omitempty" doc:"The meter's key; usage prices only."`
	Amount         *decimal.Decimal `json:"amount"`
	PackageSize    *decimal.Decimal `json:"package_size"`
	Rounding       string           `json:"rounding,omitempty" openapi:"enum=rounding"`
	TierMode       string           `json:"tier_mode,omitempty" openapi:"enum=tier_mode"`
	Tiers          []tierJSON       `json:"tiers"`
	FreeUnits      *decimal.Decimal `json:"free_units"`
	MinimumAmount  *decimal.Decimal `json:"minimum_amount"`
	Filters        meters.Filters   `json:"filters"`
	Cadence        string           `json:"cadence,omitempty" openapi:"enum=cadence"`
	PriceUnit      string           `json:"price_unit,omitempty"`
	ConversionRate *decimal.Decimal `json:"conversion_rate"`
}

type planReq struct {
	Key           string             `json:"key" openapi:"required,min=1"`
	Name          string             `json:"name"`
	Description   string             `json:"description"`
	Currency      string             `json:"currency" openapi:"required"`
	Interval      string             `json:"interval" openapi:"required,enum=interval"`
	Prices        []priceJSON        `json:"prices"`
	ExternalCosts []externalCostJSON `json:"external_costs"`
}

type planUpdateReq struct {
	Name          *string             `json:"name"`
	Description   *string             `json:"description"`
	Currency      *string             `json:"currency"`
	Interval      *string             `json:"interval" openapi:"enum=interval"`
	Prices        *[]priceJSON        `json:"prices"`
	ExternalCosts *[]externalCostJSON `json:"external_costs"`
}

type planJSON struct {
	ID            string             `json:"id"`
	Key           string             `json:"key"`
	Name          string             `json:"name"`
	Description   string             `json:"description"`
	Currency      string             `json:"currency"`
	Interval      string             `json:"interval" openapi:"enum=interval"`
	Prices        []priceJSON        `json:"prices"`
	ExternalCosts []externalCostJSON `json:"external_costs"`
	ArchivedAt    *string            `json:"archived_at" openapi:"date-time"`
	CreatedAt     string             `json:"created_at" openapi:"date-time"`
	UpdatedAt     string             `json:"updated_at" openapi:"date-time"`
}

func priceInputs(list []priceJSON) []plans.PriceInput {
	out := make([]plans.PriceInput, len(list))
	for i, p := range list {
		in := plans.PriceInput{Key: p.Key, Type: p.Type, Model: p.Model, Meter: p.Meter, Amount: p.Amount, PackageSize: p.PackageSize,
			Rounding: p.Rounding, TierMode: p.TierMode, FreeUnits: p.FreeUnits, MinimumAmount: p.MinimumAmount, Filters: p.Filters,
			Cadence: p.Cadence, PriceUnit: p.PriceUnit, ConversionRate: p.ConversionRate}
		for _, t := range p.Tiers {
			in.Tiers = append(in.Tiers, plans.TierInput{UpTo: t.UpTo, UnitAmount: t.UnitAmount, FlatAmount: t.FlatAmount})
		}
		out[i] = in
	}
	return out
}

func dec(d decimal.Decimal) *decimal.Decimal { return &d }

func toPlanJSON(p plans.Plan) planJSON {
	out := planJSON{ID: p.ID, Key: p.Key, Name: p.Name, Description: p.Description, Currency: string(p.Currency), Interval: string(p.Interval),
		Prices: make([]priceJSON, len(p.Prices)), ArchivedAt: fmtTimePtr(p.ArchivedAt), CreatedAt: fmtTime(p.CreatedAt), UpdatedAt: fmtTime(p.UpdatedAt)}
	for i, pr := range p.Prices {
		r := pr.Rating
		j := priceJSON{ID: pr.ID, Key: pr.Key, Type: string(pr.Type), Model: string(r.Model), Meter: pr.MeterKey,
			PackageSize: r.PackageSize, MinimumAmount: r.MinimumAmount, Filters: pr.Filters, Cadence: string(pr.Cadence),
			PriceUnit: r.PriceUnit, ConversionRate: r.ConversionRate, Tiers: []tierJSON{}}
		if j.Filters == nil {
			j.Filters = meters.Filters{}
		}
		if r.Model != rating.ModelTiered {
			j.Amount = dec(r.Amount)
		}
		if pr.Type == plans.Usage {
			j.FreeUnits = dec(r.FreeUnits)
			j.Rounding = string(r.Rounding)
			if j.Rounding == "" && r.PackageSize != nil {
				j.Rounding = string(rating.RoundUp)
			}
		}
		if r.Model == rating.ModelTiered {
			j.TierMode = string(r.TierMode)
			if j.TierMode == "" {
				j.TierMode = string(rating.ModeGraduated)
			}
			for _, t := range r.Tiers {
				j.Tiers = append(j.Tiers, tierJSON{UpTo: t.UpTo, UnitAmount: dec(t.UnitAmount), FlatAmount: dec(t.FlatAmount)})
			}
		}
		out.Prices[i] = j
	}
	out.ExternalCosts = externalCostsJSON(p.ExternalCosts)
	return out
}

func (s *Server) createPlan(c echo.Context) error {
	var req planReq
	if err := decode(c, &req); err != nil {
		return err
	}
	p, err := s.Plans.Create(c.Request().Context(), tenantOf(c), plans.CreateInput{Key: req.Key, Name: req.Name, Description: req.Description,
		Currency: req.Currency, Interval: req.Interval, Prices: priceInputs(req.Prices), ExternalCosts: externalCostInputs(req.ExternalCosts)})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toPlanJSON(p))
}

func (s *Server) listPlans(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	all, err := queryBool(c, "include_archived")
	if err != nil {
		return err
	}
	l, err := s.Plans.List(c.Request().Context(), tenantOf(c), p, all)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(l, toPlanJSON))
}

func (s *Server) getPlan(c echo.Context) error {
	p, err := s.Plans.Get(c.Request().Context(), tenantOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPlanJSON(p))
}

func (s *Server) updatePlan(c echo.Context) error {
	var req planUpdateReq
	if err := decode(c, &req); err != nil {
		return err
	}
	in := plans.UpdateInput{Name: req.Name, Description: req.Description, Currency: req.Currency, Interval: req.Interval}
	if req.Prices != nil {
		list := priceInputs(*req.Prices)
		in.Prices = &list
	}
	if req.ExternalCosts != nil {
		list := externalCostInputs(*req.ExternalCosts)
		in.ExternalCosts = &list
	}
	p, err := s.Plans.Update(c.Request().Context(), tenantOf(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPlanJSON(p))
}

func (s *Server) archivePlan(c echo.Context) error {
	p, err := s.Plans.Archive(c.Request().Context(), tenantOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPlanJSON(p))
}
