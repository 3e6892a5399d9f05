package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/tallyhq/tally/advisor"
	"github.com/tallyhq/tally/domain"
)

// backtestReq is POST /v1/plans/{id}/backtest.
type backtestReq struct {
	Against   string     `json:"against" openapi:"required" doc:"The key of the plan whose subscribers are re-priced."`
	From      *time.Time `json:"from" openapi:"required"`
	To        *time.Time `json:"to" openapi:"required" doc:"Exclusive: only whole periods inside [from, to) count."`
	Customers []string   `json:"customers" doc:"Only these customers (ids or external ids); default every subscriber of against."`
}

type backtestRowJSON struct {
	Customer           string `json:"customer"`
	CustomerExternalID string `json:"customer_external_id"`
	Subscription       string `json:"subscription"`
	Periods            int    `json:"periods"`
	Had                string `json:"had" openapi:"decimal" doc:"The lines of its stored invoices (not void) for those periods, before credits."`
	Would              string `json:"would" openapi:"decimal" doc:"What this plan would have invoiced for the same quantities."`
	Difference         string `json:"difference" openapi:"decimal" doc:"would − had: positive, the customer would pay more."`
	Cost               string `json:"cost" openapi:"decimal" doc:"What serving the same usage cost the tenant (meters' cost_per_unit in the plan's currency), never invoiced."`
	MarginHad          string `json:"margin_had" openapi:"decimal" doc:"had − cost."`
	MarginWould        string `json:"margin_would" openapi:"decimal" doc:"would − cost."`
}

type backtestTotalsJSON struct {
	Subscriptions int    `json:"subscriptions"`
	Periods       int    `json:"periods"`
	Had           string `json:"had" openapi:"decimal"`
	Would         string `json:"would" openapi:"decimal"`
	Cost          string `json:"cost" openapi:"decimal"`
	MarginHad     string `json:"margin_had" openapi:"decimal"`
	MarginWould   string `json:"margin_would" openapi:"decimal"`
	RevenueDelta  string `json:"revenue_delta" openapi:"decimal" doc:"would − had over every row."`
	PayMore       int    `json:"pay_more"`
	PayLess       int    `json:"pay_less"`
	PaySame       int    `json:"pay_same"`
	P50Change     string `json:"p50_change" openapi:"decimal" doc:"The median difference (nearest rank)."`
	P95Change     string `json:"p95_change" openapi:"decimal" doc:"The 95th percentile of the difference (nearest rank)."`
}

type backtestJSON struct {
	Plan      string             `json:"plan"`
	Against   string             `json:"against"`
	Currency  string             `json:"currency"`
	From      time.Time          `json:"from"`
	To        time.Time          `json:"to"`
	Customers []backtestRowJSON  `json:"customers" doc:"One row per subscription of against with a whole period in the window."`
	Totals    backtestTotalsJSON `json:"totals"`
}

func (s *Server) backtest(c echo.Context) error {
	var req backtestReq
	if err := decode(c, &req); err != nil {
		return err
	}
	if s.Advisor == nil {
		return domain.Conflict("advisor_unavailable", "the plan advisor is not configured")
	}
	in := advisor.BacktestInput{Against: req.Against, Customers: req.Customers}
	if req.From != nil {
		in.From = *req.From
	}
	if req.To != nil {
		in.To = *req.To
	}
	out := backtestJSON{Customers: []backtestRowJSON{}}
	var rows []advisor.BacktestRow
	tot, err := s.Advisor.Backtest(c.Request().Context(), tenantOf(c), c.Param("id"), in, func(r advisor.BacktestRow) error {
		rows = append(rows, r)
		return nil
	})
	if err != nil {
		return err
	}
	cur := tot.Plan.Currency
	for _, r := range rows {
		out.Customers = append(out.Customers, backtestRowJSON{Customer: r.CustomerID, CustomerExternalID: r.CustomerExternalID, Subscription: r.SubscriptionID,
			Periods: r.Periods, Had: cur.Format(r.Had), Would: cur.Format(r.Would), Difference: cur.Format(r.Difference),
			Cost: cur.Format(r.Cost), MarginHad: cur.Format(r.MarginHad), MarginWould: cur.Format(r.MarginWould)})
	}
	out.Plan, out.Against, out.Currency, out.From, out.To = tot.Plan.Key, tot.Against.Key, string(cur), tot.From.UTC(), tot.To.UTC()
	out.Totals = backtestTotalsJSON{Subscriptions: tot.Subscriptions, Periods: tot.Periods, Had: cur.Format(tot.Had), Would: cur.Format(tot.Would),
		Cost: cur.Format(tot.Cost), MarginHad: cur.Format(tot.MarginHad), MarginWould: cur.Format(tot.MarginWould), RevenueDelta: cur.Format(tot.RevenueDelta), PayMore: tot.PayMore, PayLess: tot.PayLess, PaySame: tot.PaySame,
		P50Change: cur.Format(tot.P50Change), P95Change: cur.Format(tot.P95Change)}
	return c.JSON(http.StatusOK, out)
}
