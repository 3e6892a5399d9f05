package invoicing_test

import (
	"testing"
	"time"

	"github.com/tallyhq/tally/app/apptest"
)

// TestARunInvoicesPastMaxPeriods checks that a run goes on past the
// cycle's cycle.MaxPeriods (10,000) periods a call: a daily plan from 1970
// invoiced as of 1998 has 10,227 periods, each invoiced exactly once, and a
// second run finds them all.
func TestARunInvoicesPastMaxPeriods(t *testing.T) {
	if testing.Short() {
		t.Skip("drafts 10,227 invoices per store")
	}
	apptest.Each(t, ts("1998-01-01T00:00:00Z"), func(t *testing.T, s *apptest.Server) {
		w := &world{t: t, s: s, key: s.NewTenant("daily")}
		w.post(201, "/v1/plans", `{"key":"daily","currency":"USD","interval":"day","prices":[
			{"key":"base","type":"fixed","model":"flat","amount":"1.00","cadence":"arrear"}]}`)
		sub := w.subscribe("old", "daily", "1970-01-01T00:00:00Z", "")
		const days = 10227 // 1970-01-01 to 1998-01-01
		if got := int(ts("1998-01-01T00:00:00Z").Sub(ts("1970-01-01T00:00:00Z")) / (24 * time.Hour)); got != days {
			t.Fatalf("%d days, want %d", got, days)
		}

		run := w.post(201, "/v1/invoice_runs", `{"as_of":"1998-01-01T00:00:00Z","wait":true}`)
		if run["status"] != "completed" || run["invoices_created"].(float64) != days || run["invoices_existing"].(float64) != 0 {
			t.Fatalf("first run %v, want completed with %d created", run, days)
		}
		var n int64
		var last int64
		s.App.DB.Gorm.Table("invoices").Where("subscription_id = ?", sub).Count(&n)
		s.App.DB.Gorm.Table("invoices").Where("subscription_id = ?", sub).Select("MAX(period_end)").Scan(&last)
		if n != days || last != ts("1998-01-01T00:00:00Z").UnixMicro() {
			t.Errorf("%d invoices stored, the last ending %s; want %d ending 1998-01-01", n, time.UnixMicro(last).UTC(), days)
		}

		again := w.post(201, "/v1/invoice_runs", `{"as_of":"1998-01-01T00:00:00Z","wait":true}`)
		if again["status"] != "completed" || again["invoices_created"].(float64) != 0 || again["invoices_existing"].(float64) != days {
			t.Errorf("second run %v, want completed with 0 created and %d existing", again, days)
		}
	})
}

// tsp is ts as a pointer: a given as_of.
func tsp(s string) *time.Time {
	t := ts(s)
	return &t
}
