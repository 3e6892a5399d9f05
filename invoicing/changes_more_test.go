package invoicing_test

import (
	"testing"

	"github.com/tallyhq/tally/app/apptest"
	"github.com/tallyhq/tally/invoicing"
)

func TestCancellingAtAFutureTimestampIsInvoicedByTheRunAfterIt(t *testing.T) {
	// Cancel on March 10 to take effect March 20 12:00 with prorate: the
	// run after it drafts the cancel invoice: 2 executions = 2.00; March
	// 1–20 used (the 20th counts), 11 days credited: −11.00.
	apptest.Each(t, ts("2026-03-10T00:00:00Z"), func(t *testing.T, s *apptest.Server) {
		w := newWorld(t, s)
		sub := w.subscribe("acme", "pro", "2026-03-01T00:00:00Z", "")
		w.events("acme", "2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z")
		res := w.post(200, "/v1/subscriptions/"+sub+"/cancel", `{"at":"2026-03-20T12:00:00Z","prorate":true}`)
		if res["invoice"] != nil {
			t.Errorf("a future cancellation issued an invoice at once")
		}
		p := w.get("/v1/subscriptions/" + sub + "/proposed_invoice")
		if p["billing_reason"] != "cancel" || p["period_end"] != "2026-03-20T12:00:00Z" {
			t.Errorf("proposed before the end: %v until %v, want the cancel invoice", p["billing_reason"], p["period_end"])
		}
		w.post(422, "/v1/subscriptions/"+sub+"/cancel", `{"at":"2026-02-20T00:00:00Z"}`)
		w.post(201, "/v1/invoice_runs", `{"as_of":"2026-03-19T00:00:00Z","wait":true}`)
		if n := len(w.invoices(sub)); n != 1 {
			t.Fatalf("%d invoices before the end, want the start invoice only", n)
		}
		w.post(201, "/v1/invoice_runs", `{"as_of":"2026-04-05T00:00:00Z","wait":true}`)
		inv := w.find(sub, "cancel")
		equalLines(t, "cancel invoice", lines(inv), map[string]string{"exec": "2.00", "base:credit": "-11.00"})
		if inv["period_end"] != "2026-03-20T12:00:00Z" {
			t.Errorf("cancel invoice ends %v", inv["period_end"])
		}
	})
}

func TestChangingPlanAtPeriodEndSwitchesAtTheBoundary(t *testing.T) {
	// Pro → Max at the end of March: March closes with its usage and no
	// April fee of Pro; Max starts April 1 with its own $62 start invoice.
	apptest.Each(t, ts("2026-03-10T00:00:00Z"), func(t *testing.T, s *apptest.Server) {
		w := newWorld(t, s)
		sub := w.subscribe("acme", "pro", "2026-03-01T00:00:00Z", "")
		w.events("acme", "2026-03-02T00:00:00Z")
		res := w.post(200, "/v1/subscriptions/"+sub+"/change_plan", `{"plan":"max","at":"period_end"}`)
		if res["invoice"] != nil {
			t.Errorf("a change at period end issued an invoice at once")
		}
		next := res["new_subscription"].(map[string]any)
		if next["start_at"] != "2026-04-01T00:00:00Z" || next["status"] != "scheduled" {
			t.Errorf("successor starts %v (%v), want April 1, scheduled", next["start_at"], next["status"])
		}
		w.post(201, "/v1/invoice_runs", `{"as_of":"2026-04-01T00:00:00Z","wait":true}`)
		equalLines(t, "March closes", lines(w.find(sub, "cycle")), map[string]string{"exec": "1.00"})
		start := w.find(next["id"].(string), "subscription_start")
		equalLines(t, "Max starts", lines(start), map[string]string{"base": "62.00"})
	})
}

func TestOneBrokenSubscriptionDoesNotStopARun(t *testing.T) {
	apptest.Each(t, ts("2026-04-10T00:00:00Z"), func(t *testing.T, s *apptest.Server) {
		w := newWorld(t, s)
		good := w.subscribe("good", "arrear", "2026-03-01T00:00:00Z", "")
		w.post(201, "/v1/plans", `{"key":"broken","currency":"USD","interval":"month","prices":[{"key":"base","type":"fixed","model":"flat","amount":"1","cadence":"arrear"}]}`)
		bad := w.subscribe("bad", "broken", "2026-03-01T00:00:00Z", "")
		// Damage the plan behind the API's back: no currency rates it now.
		if err := s.App.DB.Gorm.Exec("UPDATE plans SET currency = 'ZZZ' WHERE key = 'broken'").Error; err != nil {
			t.Fatal(err)
		}
		run := w.post(201, "/v1/invoice_runs", `{"as_of":"2026-04-01T00:00:00Z","wait":true}`)
		if run["status"] != string(invoicing.RunCompletedWithFailures) || run["invoices_created"].(float64) != 1 {
			t.Errorf("run %v created %v, want completed_with_failures and 1", run["status"], run["invoices_created"])
		}
		failed := run["failed"].([]any)
		if len(failed) != 1 || failed[0].(map[string]any)["subscription_id"] != bad {
			t.Errorf("failures %v, want the broken subscription only", failed)
		}
		if got := w.get("/v1/invoice_runs/" + run["id"].(string)); got["processed"].(float64) != 2 {
			t.Errorf("the stored run processed %v subscriptions, want 2", got["processed"])
		}
		w.find(good, "cycle")
	})
}
