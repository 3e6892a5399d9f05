package invoicing_test

import (
	"testing"

	"github.com/tallyhq/tally/app/apptest"
)

func TestPrepaidCreditPaysInvoicesAtFinalization(t *testing.T) {
	// $10 bought as 1,000 credits worth $0.01. March's invoice: 25
	// executions × $1 = 25.00 and April's $31 fee = 56.00; the credit pays
	// 10.00 of it, leaving 46.00. A void gives the credit back.
	apptest.Each(t, ts("2026-03-20T00:00:00Z"), func(t *testing.T, s *apptest.Server) {
		w := newWorld(t, s)
		sub := w.subscribe("acme", "pro", "2026-03-01T00:00:00Z", "")
		cust := w.get("/v1/subscriptions/" + sub)["customer_id"].(string)
		w.post(201, "/v1/customers/"+cust+"/credit_grants", `{"amount":"1000","unit":"credits","conversion_rate":"0.01"}`)
		w.post(422, "/v1/customers/"+cust+"/credit_grants", `{"amount":"5","unit":"credits"}`)
		var at []string
		for i := 0; i < 25; i++ {
			at = append(at, "2026-03-10T00:00:00Z")
		}
		w.events("acme", at...)
		p := w.get("/v1/subscriptions/" + sub + "/proposed_invoice")
		if p["subtotal"] != "56.00" || p["credits_applied"] != "10.00" || p["total"] != "46.00" {
			t.Errorf("proposed: subtotal %v credits %v total %v, want 56.00, 10.00, 46.00", p["subtotal"], p["credits_applied"], p["total"])
		}
		s.Clock.Set(ts("2026-04-01T01:00:00Z"))
		w.post(201, "/v1/invoice_runs", `{"wait":true}`)
		cyc := w.find(sub, "cycle")
		if cyc["credits_applied"] != "0.00" {
			t.Errorf("a draft drew credit: %v", cyc["credits_applied"])
		}
		fin := w.post(200, "/v1/invoices/"+cyc["id"].(string)+"/finalize", "")
		if fin["credits_applied"] != "10.00" || fin["total"] != "46.00" {
			t.Errorf("finalized: credits %v total %v, want 10.00 and 46.00", fin["credits_applied"], fin["total"])
		}
		bal := w.get("/v1/customers/" + cust + "/credit_grants")
		if bal["balance"] != "0" {
			t.Errorf("balance after the draw %v, want 0", bal["balance"])
		}
		// The start invoice finalized now finds no credit left.
		start := w.post(200, "/v1/invoices/"+w.find(sub, "subscription_start")["id"].(string)+"/finalize", "")
		if start["credits_applied"] != "0.00" || start["total"] != "31.00" {
			t.Errorf("second invoice: credits %v total %v", start["credits_applied"], start["total"])
		}
		w.post(200, "/v1/invoices/"+cyc["id"].(string)+"/void", "")
		bal = w.get("/v1/customers/" + cust + "/credit_grants")
		if g := bal["data"].([]any)[0].(map[string]any); g["remaining"] != "1000" || bal["balance"] != "10" {
			t.Errorf("after the void: remaining %v balance %v, want 1000 and 10", g["remaining"], bal["balance"])
		}
	})
}
