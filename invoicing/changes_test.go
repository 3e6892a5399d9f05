package invoicing_test

import (
	"testing"

	"github.com/tallyhq/tally/app/apptest"
)

func TestCancellingNowWithProrationCreditsTheUnusedDays(t *testing.T) {
	// Pro: $31/month in advance + $1 per execution; March has 31 days.
	// Cancelled on March 15 at 12:00: the cancellation day counts as used,
	// so days 1–15 are used and 16 unused: credit −16.00; 5 executions: 5.00.
	apptest.Each(t, ts("2026-03-15T12:00:00Z"), func(t *testing.T, s *apptest.Server) {
		w := newWorld(t, s)
		sub := w.subscribe("acme", "pro", "2026-03-01T00:00:00Z", "")
		w.events("acme", "2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z", "2026-03-10T00:00:00Z", "2026-03-14T00:00:00Z", "2026-03-15T11:00:00Z")
		start := w.find(sub, "subscription_start")
		if start["total"] != "31.00" {
			t.Fatalf("start invoice total %v, want 31.00", start["total"])
		}
		res := w.post(200, "/v1/subscriptions/"+sub+"/cancel", `{"at":"now","prorate":true}`)
		inv, ok := res["invoice"].(map[string]any)
		if !ok {
			t.Fatalf("no invoice issued at once: %v", res)
		}
		if inv["billing_reason"] != "cancel" || inv["total"] != "-11.00" {
			t.Errorf("cancel invoice %v total %v, want cancel -11.00", inv["billing_reason"], inv["total"])
		}
		equalLines(t, "cancel invoice", lines(inv), map[string]string{"exec": "5.00", "base:credit": "-16.00"})
		if sub := res["subscription"].(map[string]any); sub["status"] != "ended" || sub["ends_at"] != "2026-03-15T12:00:00Z" {
			t.Errorf("subscription after cancel: status %v ends_at %v", sub["status"], sub["ends_at"])
		}
		// An event after the end is not billed; a run adds nothing and a
		// second cancel is refused.
		s.Clock.Set(ts("2026-03-15T13:00:00Z"))
		w.events("acme", "2026-03-15T12:30:00Z")
		run := w.post(201, "/v1/invoice_runs", `{"as_of":"2026-04-02T00:00:00Z","wait":true}`)
		if run["invoices_created"].(float64) != 0 {
			t.Errorf("a run after the cancel created %v invoices", run["invoices_created"])
		}
		w.post(409, "/v1/subscriptions/"+sub+"/cancel", `{"at":"now"}`)
		if n := len(w.invoices(sub)); n != 2 {
			t.Errorf("%d invoices, want start + cancel", n)
		}
		s.Must(409, "GET", "/v1/subscriptions/"+sub+"/proposed_invoice", w.key, nil)
	})
}

func TestCancellingWithoutProrationBillsOnlyTheUsage(t *testing.T) {
	apptest.Each(t, ts("2026-03-15T12:00:00Z"), func(t *testing.T, s *apptest.Server) {
		w := newWorld(t, s)
		sub := w.subscribe("acme", "pro", "2026-03-01T00:00:00Z", "")
		w.events("acme", "2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z")
		inv := w.post(200, "/v1/subscriptions/"+sub+"/cancel", `{"at":"now"}`)["invoice"].(map[string]any)
		equalLines(t, "cancel invoice", lines(inv), map[string]string{"exec": "2.00"})
	})
}

func TestCancellingAtPeriodEndDropsTheNextAdvanceFee(t *testing.T) {
	// The invoice closing March holds March's 2 executions and no April fee.
	apptest.Each(t, ts("2026-03-15T12:00:00Z"), func(t *testing.T, s *apptest.Server) {
		w := newWorld(t, s)
		sub := w.subscribe("acme", "pro", "2026-03-01T00:00:00Z", "")
		res := w.post(200, "/v1/subscriptions/"+sub+"/cancel", `{"at":"period_end"}`)
		s.Clock.Set(ts("2026-03-25T00:00:00Z"))
		w.events("acme", "2026-03-02T00:00:00Z", "2026-03-20T00:00:00Z")
		if res["invoice"] != nil {
			t.Errorf("a period_end cancel issued an invoice at once: %v", res["invoice"])
		}
		if got := res["subscription"].(map[string]any)["ends_at"]; got != "2026-04-01T00:00:00Z" {
			t.Errorf("ends_at %v, want 2026-04-01T00:00:00Z", got)
		}
		proposed := w.get("/v1/subscriptions/" + sub + "/proposed_invoice?at=2026-03-25T00:00:00Z")
		equalLines(t, "proposed", lines(proposed), map[string]string{"exec": "2.00"})
		w.post(201, "/v1/invoice_runs", `{"as_of":"2026-05-01T00:00:00Z","wait":true}`)
		equalLines(t, "closing invoice", lines(w.find(sub, "cycle")), map[string]string{"exec": "2.00"})
		if n := len(w.invoices(sub)); n != 2 {
			t.Errorf("%d invoices, want start + one cycle (none after the end)", n)
		}
	})
}

func TestChangingPlanNowPutsCreditAndNewFeeOnOneInvoice(t *testing.T) {
	// Pro ($31) → Max ($62) on March 15 at 12:00. The change day counts for
	// the new plan only: Pro is used March 1–14 (14 days) and credits 17
	// days: −17.00; Max charges March 15–31, 17/31 × 62 = 34.00; Pro's 3
	// executions before the change: 3.00. The one after the change is Max's.
	apptest.Each(t, ts("2026-03-15T12:00:00Z"), func(t *testing.T, s *apptest.Server) {
		w := newWorld(t, s)
		sub := w.subscribe("acme", "pro", "2026-03-01T00:00:00Z", "")
		w.events("acme", "2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z", "2026-03-15T11:59:59Z")
		res := w.post(200, "/v1/subscriptions/"+sub+"/change_plan", `{"plan":"max","at":"now"}`)
		inv := res["invoice"].(map[string]any)
		if inv["billing_reason"] != "plan_change" {
			t.Errorf("reason %v, want plan_change", inv["billing_reason"])
		}
		equalLines(t, "plan change invoice", lines(inv), map[string]string{"exec": "3.00", "base:credit": "-17.00", "base": "34.00"})
		if inv["total"] != "20.00" {
			t.Errorf("total %v, want 3 − 17 + 34 = 20.00", inv["total"])
		}
		next := res["new_subscription"].(map[string]any)
		if next["plan"] != "max" || next["start_at"] != "2026-03-15T12:00:00Z" {
			t.Errorf("successor %v from %v", next["plan"], next["start_at"])
		}
		nextID := next["id"].(string)
		if n := len(w.invoices(nextID)); n != 0 {
			t.Errorf("the successor has %d invoices; its first fee is on the plan change invoice", n)
		}
		w.events("acme", "2026-03-15T12:00:01Z")
		s.Clock.Set(ts("2026-03-20T00:00:00Z"))
		p := w.get("/v1/subscriptions/" + nextID + "/proposed_invoice")
		// Max: 1 execution × 0.5 and April's 62.00 in advance.
		equalLines(t, "successor proposed", lines(p), map[string]string{"exec": "0.50", "base": "62.00"})
		w.post(201, "/v1/invoice_runs", `{"as_of":"2026-04-01T00:00:00Z","wait":true}`)
		if n := len(w.invoices(nextID)); n != 1 {
			t.Errorf("successor has %d invoices after the run, want its March cycle only", n)
		}
		w.post(422, "/v1/subscriptions/"+nextID+"/change_plan", `{"plan":"max"}`)
	})
}

func TestATrialBillsNothingUntilItEnds(t *testing.T) {
	// 14 trial days from March 1: the first paid period is March 15–31,
	// 17/31 of $31 = 17.00, drafted by the first run after it begins.
	apptest.Each(t, ts("2026-03-05T00:00:00Z"), func(t *testing.T, s *apptest.Server) {
		w := newWorld(t, s)
		sub := w.subscribe("acme", "pro", "2026-03-01T00:00:00Z", `,"trial_days":14`)
		w.events("acme", "2026-03-02T00:00:00Z")
		p := w.get("/v1/subscriptions/" + sub + "/proposed_invoice")
		if p["total"] != "0.00" || p["note"] == nil {
			t.Errorf("proposed during trial: total %v note %v, want 0.00 with a note", p["total"], p["note"])
		}
		if n := len(w.invoices(sub)); n != 0 {
			t.Errorf("%d invoices during the trial", n)
		}
		w.post(201, "/v1/invoice_runs", `{"as_of":"2026-03-16T00:00:00Z","wait":true}`)
		start := w.find(sub, "subscription_start")
		if start["total"] != "17.00" || start["period_start"] != "2026-03-15T00:00:00Z" {
			t.Errorf("start invoice %v from %v, want 17.00 from March 15", start["total"], start["period_start"])
		}
	})
}

func TestAScheduledSubscriptionHasNoProposedInvoiceYet(t *testing.T) {
	apptest.Each(t, ts("2026-03-05T00:00:00Z"), func(t *testing.T, s *apptest.Server) {
		w := newWorld(t, s)
		sub := w.subscribe("acme", "pro", "2026-04-01T00:00:00Z", "")
		r := s.Must(409, "GET", "/v1/subscriptions/"+sub+"/proposed_invoice", w.key, nil).JSON()
		if r["error"].(map[string]any)["code"] != "not_started" {
			t.Errorf("error %v, want not_started", r["error"])
		}
		if n := len(w.invoices(sub)); n != 0 {
			t.Errorf("a future subscription has %d invoices at creation", n)
		}
	})
}
