package api

import (
	"math/big"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/advisor"
	"github.com/tallyhq/tally/domain"
)

// breakEvenReq is POST /v1/plans/break_even.
type breakEvenReq struct {
	Plans                []string                   `json:"plans"`
	Meter                string                     `json:"meter"`
	Usage                map[string]decimal.Decimal `json:"usage"`
	IncludeExternalCosts bool                       `json:"include_external_costs"`
}

// quantityJSON is an exact quantity: a fraction ("19000/7") and a decimal
// to 12 places ("2714.285714285714").
type quantityJSON struct {
	Fraction string `json:"fraction"`
	Decimal  string `json:"decimal"`
}

type regionJSON struct {
	From          quantityJSON  `json:"from"`
	FromInclusive bool          `json:"from_inclusive"`
	To            *quantityJSON `json:"to"`
	ToInclusive   bool          `json:"to_inclusive"`
	Cheapest      []string      `json:"cheapest"`
}

type planAmountJSON struct {
	Plan   string `json:"plan"`
	Amount string `json:"amount"`
}

type boundaryJSON struct {
	At         quantityJSON     `json:"at"`
	Below      []string         `json:"cheaper_below"`
	Above      []string         `json:"cheaper_above"`
	Totals     []planAmountJSON `json:"totals"`
	TieFrom    *string          `json:"rounded_tie_from"`
	TieTo      *string          `json:"rounded_tie_to"`
	BelowUntil *string          `json:"below_cheaper_until"`
	AboveFrom  *string          `json:"above_cheaper_from"`
}

type breakEvenJSON struct {
	Meter      string         `json:"meter"`
	Currency   string         `json:"currency"`
	Regions    []regionJSON   `json:"regions"`
	Boundaries []boundaryJSON `json:"boundaries"`
	Periodic   bool           `json:"periodic"`
}

func quantityOf(r *big.Rat) quantityJSON {
	f := r.RatString()
	return quantityJSON{Fraction: f, Decimal: r.FloatString(12)}
}

func toBreakEvenJSON(b advisor.BreakEven) breakEvenJSON {
	out := breakEvenJSON{Meter: b.Meter, Currency: string(b.Currency), Regions: []regionJSON{}, Boundaries: []boundaryJSON{}, Periodic: b.Periodic}
	for _, r := range b.Regions {
		rj := regionJSON{From: quantityOf(r.From), FromInclusive: r.FromInclusive, ToInclusive: r.ToInclusive, Cheapest: r.Cheapest}
		if r.To != nil {
			q := quantityOf(r.To)
			rj.To = &q
		}
		out.Regions = append(out.Regions, rj)
	}
	for _, x := range b.Boundaries {
		bj := boundaryJSON{At: quantityJSON{Fraction: x.At.RatString(), Decimal: x.Decimal}, Below: x.Below, Above: x.Above,
			TieFrom: decStr(x.TieFrom), TieTo: decStr(x.TieTo), BelowUntil: decStr(x.BelowUntil), AboveFrom: decStr(x.AboveFrom)}
		for _, t := range x.Totals {
			bj.Totals = append(bj.Totals, planAmountJSON{Plan: t.Plan, Amount: b.Currency.Format(t.Amount)})
		}
		out.Boundaries = append(out.Boundaries, bj)
	}
	return out
}

func (s *Server) breakEven(c echo.Context) error {
	var req breakEvenReq
	if err := decode(c, &req); err != nil {
		return err
	}
	if s.Advisor == nil {
		return domain.Conflict("advisor_unavailable", "the plan advisor is not configured")
	}
	out, err := s.Advisor.BreakEven(c.Request().Context(), tenantOf(c), advisor.BreakEvenInput{Plans: req.Plans, Meter: req.Meter,
		Usage: advisor.Usage(req.Usage), IncludeExternalCosts: req.IncludeExternalCosts})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toBreakEvenJSON(out))
}
