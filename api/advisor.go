package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/advisor"
	"github.com/tallyhq/tally/domain"
)

// compareReq is POST /v1/plans/compare: the usage of one period per meter
// key, the plans by key.
type compareReq struct {
	Usage                map[string]decimal.Decimal `json:"usage"`
	Plans                []string                   `json:"plans"`
	IncludeExternalCosts bool                       `json:"include_external_costs"`
	Normalize            string                     `json:"normalize"`
}

type advisorLineJSON struct {
	PriceKey       string         `json:"price_key"`
	Type           string         `json:"type"`
	Meter          *string        `json:"meter"`
	Description    string         `json:"description"`
	Quantity       string         `json:"quantity"`
	Amount         string         `json:"amount"`
	Exact          string         `json:"exact"`
	PriceUnit      *string        `json:"price_unit"`
	UnitAmount     *string        `json:"unit_amount"`
	MinimumApplied bool           `json:"minimum_applied"`
	Tiers          []tierLineJSON `json:"tiers" openapi:"nullable"`
}

type externalLineJSON struct {
	Meter       string `json:"meter"`
	Description string `json:"description"`
	Quantity    string `json:"quantity"`
	UnitAmount  string `json:"unit_amount"`
	Amount      string `json:"amount"`
}

// quoteJSON is one plan of a comparison: the lines its invoice would have,
// subtotal (the invoice total), external_cost (never invoiced), total.
type quoteJSON struct {
	Plan          string             `json:"plan"`
	Name          string             `json:"name"`
	Interval      string             `json:"interval"`
	Lines         []advisorLineJSON  `json:"lines"`
	Subtotal      string             `json:"subtotal"`
	ExternalCosts []externalLineJSON `json:"external_costs"`
	ExternalCost  string             `json:"external_cost"`
	Total         string             `json:"total"`
	// Months is what one period counts for when normalised ("12/52").
	Months *string `json:"months"`
	// Compared is what plans are ranked by: total, or total per month.
	Compared string `json:"compared"`
	// ServeCosts are what serving the usage costs the tenant (meters'
	// cost_per_unit), never invoiced; Margin is subtotal − serve_cost.
	// They are the tenant's own figures: absent on the portal's
	// recommendation, which the customer reads.
	ServeCosts *[]costLineJSON `json:"serve_costs,omitempty" doc:"Absent on /v1/portal routes."`
	ServeCost  *string         `json:"serve_cost,omitempty" openapi:"decimal" doc:"The serve_costs in the plan's currency (others are listed, not converted). Absent on /v1/portal routes."`
	Margin     *string         `json:"margin,omitempty" openapi:"decimal" doc:"subtotal − serve_cost: what the tenant keeps. Absent on /v1/portal routes."`
}

type comparisonJSON struct {
	Currency             string      `json:"currency"`
	Normalize            *string     `json:"normalize"`
	IncludeExternalCosts bool        `json:"include_external_costs"`
	Plans                []quoteJSON `json:"plans"`
	Cheapest             []string    `json:"cheapest"`
}

func toQuoteJSON(q advisor.Quoted) quoteJSON {
	cur := q.Plan.Currency
	out := quoteJSON{Plan: q.Plan.Key, Name: q.Plan.Name, Interval: string(q.Plan.Interval), Lines: make([]advisorLineJSON, len(q.Lines)),
		Subtotal: cur.Format(q.Subtotal), ExternalCosts: make([]externalLineJSON, len(q.ExternalLines)), ExternalCost: cur.Format(q.ExternalCost),
		Total: cur.Format(q.Total), Compared: cur.Format(q.Compared), ServeCosts: ptr(costLinesJSON(q.CostLines)), ServeCost: strPtr(cur.Format(q.ServeCost)), Margin: strPtr(cur.Format(q.Margin))}
	if q.Months != "" {
		out.Months = strPtr(q.Months)
	}
	for i, l := range q.Lines {
		lj := advisorLineJSON{PriceKey: l.PriceKey, Type: string(l.Type), Meter: strPtr(l.Meter), Description: l.Description,
			Quantity: l.Quantity.String(), Amount: cur.Format(l.Amount), Exact: l.Exact.String(), MinimumApplied: l.MinimumApplied}
		if l.PriceUnit != "" {
			lj.PriceUnit = strPtr(l.PriceUnit)
			ua := l.UnitAmount.StringFixed(6)
			lj.UnitAmount = &ua
		}
		for _, t := range l.Tiers {
			lj.Tiers = append(lj.Tiers, tierLineJSON{Tier: t.Tier + 1, From: decStr(t.From), UpTo: decStr(t.UpTo), Quantity: t.Quantity.String(),
				UnitAmount: t.UnitAmount.String(), FlatAmount: t.FlatAmount.String(), Amount: t.Amount.String()})
		}
		out.Lines[i] = lj
	}
	for i, e := range q.ExternalLines {
		out.ExternalCosts[i] = externalLineJSON{Meter: e.Meter, Description: e.Description, Quantity: e.Quantity.String(),
			UnitAmount: e.UnitAmount.String(), Amount: cur.Format(e.Amount)}
	}
	return out
}

// toComparisonJSON writes a comparison with the tenant's serve costs and
// margins.
func toComparisonJSON(c advisor.Comparison) comparisonJSON { return comparisonOf(c, true) }

// comparisonOf writes a comparison; tenantCosts false is for the
// customer's eyes: without what serving it costs the tenant, nor the
// tenant's margin.
func comparisonOf(c advisor.Comparison, tenantCosts bool) comparisonJSON {
	out := comparisonJSON{Currency: string(c.Currency), IncludeExternalCosts: c.IncludeExternalCosts, Plans: make([]quoteJSON, len(c.Quotes)), Cheapest: c.Cheapest}
	if c.Normalize != "" {
		out.Normalize = strPtr(c.Normalize)
	}
	for i, q := range c.Quotes {
		out.Plans[i] = toQuoteJSON(q)
		if !tenantCosts {
			out.Plans[i].ServeCosts, out.Plans[i].ServeCost, out.Plans[i].Margin = nil, nil, nil
		}
	}
	return out
}

func (s *Server) comparePlans(c echo.Context) error {
	var req compareReq
	if err := decode(c, &req); err != nil {
		return err
	}
	if s.Advisor == nil {
		return domain.Conflict("advisor_unavailable", "the plan advisor is not configured")
	}
	out, err := s.Advisor.Compare(c.Request().Context(), tenantOf(c), advisor.CompareInput{Usage: advisor.Usage(req.Usage), Plans: req.Plans,
		IncludeExternalCosts: req.IncludeExternalCosts, Normalize: req.Normalize})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toComparisonJSON(out))
}
