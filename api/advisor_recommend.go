package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/tallyhq/tally/advisor"
	"github.com/tallyhq/tally/domain"
)

type planDeltaJSON struct {
	Plan       string `json:"plan"`
	Total      string `json:"total" openapi:"decimal"`
	Difference string `json:"difference" openapi:"decimal" doc:"How far from the current plan's total: positive, saved (cheaper) or extra (more_expensive)."`
}

// recommendationJSON is GET /v1/customers/{id}/plan_recommendation.
type recommendationJSON struct {
	Customer           string            `json:"customer"`
	CustomerExternalID string            `json:"customer_external_id"`
	Subscription       string            `json:"subscription"`
	CurrentPlan        string            `json:"current_plan"`
	Basis              string            `json:"basis" openapi:"enum=recommendation_basis"`
	PeriodStart        time.Time         `json:"period_start"`
	PeriodEnd          time.Time         `json:"period_end"`
	AsOf               time.Time         `json:"as_of" doc:"Usage is counted from period_start to here."`
	Measured           map[string]string `json:"measured" doc:"The quantity counted per meter key."`
	Usage              map[string]string `json:"usage" doc:"The quantity the plans are quoted on: measured × projection_factor."`
	ProjectionFactor   string            `json:"projection_factor" openapi:"decimal" doc:"Period length ÷ elapsed time (1 for last_period)."`
	Projection         string            `json:"projection" doc:"How the usage was obtained, in words."`
	Comparison         comparisonJSON    `json:"comparison"`
	CurrentTotal       string            `json:"current_total" openapi:"decimal"`
	Cheapest           []string          `json:"cheapest"`
	Saving             string            `json:"saving" openapi:"decimal" doc:"current_total minus the cheapest plan's total (0 when the current plan is cheapest)."`
	Cheaper            []planDeltaJSON   `json:"cheaper"`
	MoreExpensive      []planDeltaJSON   `json:"more_expensive"`
	Same               []string          `json:"same"`
}

func usageJSON(u advisor.Usage) map[string]string {
	out := make(map[string]string, len(u))
	for k, q := range u {
		out[k] = q.String()
	}
	return out
}

// toRecommendationJSON writes a recommendation; tenantCosts false leaves
// out the tenant's serve costs and margins (the portal's).
func toRecommendationJSON(r advisor.Recommendation, tenantCosts bool) recommendationJSON {
	cur := r.Current.Currency
	deltas := func(list []advisor.PlanDelta) []planDeltaJSON {
		out := make([]planDeltaJSON, len(list))
		for i, d := range list {
			out[i] = planDeltaJSON{Plan: d.Plan, Total: cur.Format(d.Total), Difference: cur.Format(d.Difference)}
		}
		return out
	}
	return recommendationJSON{Customer: r.Customer.ID, CustomerExternalID: r.Customer.ExternalID, Subscription: r.Subscription.ID,
		CurrentPlan: r.Current.Key, Basis: r.Basis, PeriodStart: r.Period.Start.UTC(), PeriodEnd: r.Period.End.UTC(), AsOf: r.AsOf.UTC(),
		Measured: usageJSON(r.Measured), Usage: usageJSON(r.Usage), ProjectionFactor: r.Factor.String(), Projection: r.Projection,
		Comparison: comparisonOf(r.Comparison, tenantCosts), CurrentTotal: cur.Format(r.CurrentTotal), Cheapest: r.Comparison.Cheapest,
		Saving: cur.Format(r.Saving), Cheaper: deltas(r.Cheaper), MoreExpensive: deltas(r.Dearer), Same: r.Same}
}

func (s *Server) planRecommendation(c echo.Context) error {
	return s.writeRecommendation(c, c.Param("id"), true)
}

// writeRecommendation answers the plan advisor's recommendation for a
// customer (admin and portal routes; the portal's without the tenant's
// serve costs and margins).
func (s *Server) writeRecommendation(c echo.Context, customerID string, tenantCosts bool) error {
	if s.Advisor == nil {
		return domain.Conflict("advisor_unavailable", "the plan advisor is not configured")
	}
	in := advisor.RecommendInput{CustomerID: customerID, Subscription: c.QueryParam("subscription"), Basis: c.QueryParam("basis")}
	if v := c.QueryParam("include_external_costs"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			var p domain.Problems
			p.Add("include_external_costs", "must be true or false")
			return p.Err()
		}
		in.IncludeExternalCosts = b
	}
	out, err := s.Advisor.Recommend(c.Request().Context(), tenantOf(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toRecommendationJSON(out, tenantCosts))
}
