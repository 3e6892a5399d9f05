package advisor_test

import (
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/app/apptest"
	"github.com/tallyhq/tally/store"
)

// randomPrice is a random usage price on meter "tokens": any model, free
// units, packages with any rounding, a minimum, or a custom unit.
func randomPrice(r *rand.Rand) map[string]any {
	p := map[string]any{"key": "use", "type": "usage", "meter": "tokens"}
	amt := func() string { return decimal.NewFromInt(int64(r.Intn(5000))).Shift(-int32(r.Intn(5) + 1)).String() }
	switch r.Intn(3) {
	case 0:
		p["model"], p["amount"] = "per_unit", amt()
	case 1:
		p["model"], p["amount"], p["package_size"] = "package", amt(), fmt.Sprint(r.Intn(900)+1)
	default:
		p["model"] = "tiered"
		p["tier_mode"] = []string{"graduated", "volume"}[r.Intn(2)]
		b1 := r.Intn(5000) + 1
		b2 := b1 + r.Intn(20000) + 1
		p["tiers"] = []any{
			map[string]any{"up_to": fmt.Sprint(b1), "unit_amount": amt(), "flat_amount": decimal.NewFromInt(int64(r.Intn(3))).String()},
			map[string]any{"up_to": fmt.Sprint(b2), "unit_amount": amt()},
			map[string]any{"up_to": nil, "unit_amount": amt(), "flat_amount": "1.5"}}
	}
	if r.Intn(3) == 0 {
		p["free_units"] = fmt.Sprint(r.Intn(3000))
	}
	if r.Intn(3) == 0 && p["model"] != "package" {
		p["package_size"] = fmt.Sprint(r.Intn(300) + 1)
		p["rounding"] = []string{"up", "down", "none"}[r.Intn(3)]
	}
	if r.Intn(3) == 0 {
		p["minimum_amount"] = fmt.Sprint(r.Intn(200))
	}
	if r.Intn(5) == 0 {
		p["price_unit"], p["conversion_rate"] = "credits", "0.01"
	}
	return p
}

// For random plans and quantities, compare says what a real subscription
// billed through an invoice run pays for the same usage over one whole
// period: the advance fees of its subscription_start invoice plus the lines
// of its cycle invoice that belong to that period.
func TestCompareEqualsInvoiceRun(t *testing.T) {
	r := rand.New(rand.NewSource(11))
	jan := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := apptest.Start(t, store.SQLite, jan.Add(9*24*time.Hour))
	key := s.NewTenant("prop")
	s.Must(201, "POST", "/v1/meters", key, map[string]any{"key": "tokens", "event_name": "llm", "aggregation": map[string]any{"type": "sum", "field": "tokens"}})
	const n = 40
	qty := make([]int, n)
	subs := make([]string, n)
	for i := range n {
		prices := []any{randomPrice(r)}
		if r.Intn(2) == 0 {
			prices = append(prices, map[string]any{"key": "fee", "type": "fixed", "model": "flat", "amount": fmt.Sprint(r.Intn(5000)) + ".25", "cadence": []string{"advance", "arrear"}[r.Intn(2)]})
		}
		s.Must(201, "POST", "/v1/plans", key, map[string]any{"key": fmt.Sprintf("p%d", i), "currency": "USD", "interval": "month", "prices": prices})
		s.Must(201, "POST", "/v1/customers", key, map[string]any{"external_id": fmt.Sprintf("c%d", i), "currency": "USD"})
		subs[i] = s.Must(201, "POST", "/v1/subscriptions", key, map[string]any{"customer": fmt.Sprintf("c%d", i), "plan": fmt.Sprintf("p%d", i),
			"start_at": jan.Format(time.RFC3339), "billing_cycle": "calendar"}).JSON()["id"].(string)
		qty[i] = []int{0, 1, r.Intn(100), r.Intn(40000), r.Intn(400000)}[r.Intn(5)]
		if qty[i] > 0 {
			s.Must(202, "POST", "/v1/events", key, map[string]any{"id": fmt.Sprintf("e%d", i), "event_name": "llm", "customer": fmt.Sprintf("c%d", i),
				"timestamp": jan.Add(4 * 24 * time.Hour).Format(time.RFC3339), "properties": map[string]any{"tokens": qty[i]}})
		}
	}
	s.Clock.Set(jan.AddDate(0, 1, 1))
	s.Must(201, "POST", "/v1/invoice_runs", key, map[string]any{"as_of": jan.AddDate(0, 1, 0).Format(time.RFC3339), "wait": true})
	for i := range n {
		var invs struct {
			Data []struct {
				Status string `json:"status"`
				Lines  []struct {
					Amount      string `json:"amount"`
					PeriodStart string `json:"period_start"`
				} `json:"lines"`
			} `json:"data"`
		}
		s.Must(200, "GET", "/v1/invoices?subscription="+subs[i], key, nil).Decode(t, &invs)
		billed := decimal.Zero
		for _, inv := range invs.Data {
			for _, l := range inv.Lines {
				if ps, _ := time.Parse(time.RFC3339Nano, l.PeriodStart); ps.Equal(jan) {
					billed = billed.Add(decimal.RequireFromString(l.Amount))
				}
			}
		}
		c := compare(t, s, key, map[string]any{"usage": map[string]any{"tokens": qty[i]}, "plans": []string{fmt.Sprintf("p%d", i)}})
		if got := decimal.RequireFromString(c.Plans[0].Total); !got.Equal(billed) {
			t.Errorf("plan p%d at %d tokens: compare %s, invoices %s (%d invoices)", i, qty[i], got, billed, len(invs.Data))
		}
	}
}
