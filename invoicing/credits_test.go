package invoicing_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/app/apptest"
)

// aiPlan adds plan "ai": $31/month in advance (USD) and executions priced
// in credits, 10 credits each at $0.01 a credit: 25 executions = 250
// credits = $2.50.
func (w *world) aiPlan() {
	w.post(201, "/v1/plans", `{"key":"ai","currency":"USD","interval":"month","prices":[
		{"key":"base","type":"fixed","model":"flat","amount":"31.00","cadence":"advance"},
		{"key":"exec","type":"usage","meter":"exec","model":"per_unit","amount":"10","price_unit":"credits","conversion_rate":"0.01"}]}`)
}

func (w *world) customerOf(sub string) string {
	return w.get("/v1/subscriptions/" + sub)["customer_id"].(string)
}

// balance returns credit_balance's entry for unit at at ("" = now).
func (w *world) balance(cust, at, unit string) map[string]any {
	w.t.Helper()
	q := ""
	if at != "" {
		q = "?at=" + at
	}
	for _, u := range w.get("/v1/customers/" + cust + "/credit_balance" + q)["data"].([]any) {
		if m := u.(map[string]any); m["unit"] == unit {
			return m
		}
	}
	return map[string]any{"remaining": "none", "pending": "none", "used": "none", "expired": "none"}
}

func (w *world) wantBalance(what, cust, at, unit, field, want string) {
	w.t.Helper()
	if got := w.balance(cust, at, unit)[field]; got != want {
		w.t.Errorf("%s: %s %s = %v, want %s", what, unit, field, got, want)
	}
}

func lineOf(inv map[string]any, key string) map[string]any {
	for _, l := range inv["lines"].([]any) {
		if m := l.(map[string]any); m["price_key"] == key {
			return m
		}
	}
	return nil
}

func TestCreditsPayLinesByUnitAndAppliesTo(t *testing.T) {
	// Grants: A = 1,000 credits ($10 at $0.01), B = $20, both applying to
	// usage, no expiry, priority 1, A older. March usage: 25 executions =
	// 250 credits = $2.50, on a credits-priced line; April's $31 fee is a
	// fixed line that neither grant may pay.
	//   A pays the 250 credits ($2.50); B pays nothing (the only usage line
	//   is covered; the fee is not usage). Subtotal 2.50 + 31 = 33.50,
	//   credits_applied 2.50, total 31.00.
	//   Balance of credits on Mar 20: 1,000 − 250 pending = 750.000000.
	apptest.Each(t, ts("2026-03-20T00:00:00Z"), func(t *testing.T, s *apptest.Server) {
		w := newWorld(t, s)
		w.aiPlan()
		sub := w.subscribe("acme", "ai", "2026-03-01T00:00:00Z", "")
		cust := w.customerOf(sub)
		a := w.post(201, "/v1/customers/"+cust+"/credit_grants", `{"amount":"1000","unit":"credits","conversion_rate":"0.01"}`)
		w.post(201, "/v1/customers/"+cust+"/credit_grants", `{"amount":"20"}`)
		if a["applies_to"] != "usage" || a["amount"] != "1000.000000" {
			t.Errorf("grant defaults: %v", a)
		}
		at := make([]string, 25)
		for i := range at {
			at[i] = "2026-03-10T00:00:00Z"
		}
		w.events("acme", at...)
		w.wantBalance("Mar 20, 250 credits pending", cust, "", "credits", "pending", "250.000000")
		w.wantBalance("Mar 20, 250 credits pending", cust, "", "credits", "remaining", "750.000000")
		w.wantBalance("Mar 20: the money grant pays no credits line nor the fee", cust, "", "USD", "remaining", "20.00")

		p := w.get("/v1/subscriptions/" + sub + "/proposed_invoice")
		if p["subtotal"] != "33.50" || p["credits_applied"] != "2.50" || p["total"] != "31.00" {
			t.Errorf("proposed: subtotal %v credits %v total %v, want 33.50, 2.50, 31.00", p["subtotal"], p["credits_applied"], p["total"])
		}
		if l := lineOf(p, "exec"); l["price_unit"] != "credits" || l["unit_amount"] != "250.000000" || l["credit_units"] != "250.000000" || l["credits_applied"] != "2.50" {
			t.Errorf("proposed usage line: %v", l)
		}

		s.Clock.Set(ts("2026-04-01T01:00:00Z"))
		w.post(201, "/v1/invoice_runs", `{"wait":true}`)
		cyc := w.find(sub, "cycle")
		fin := w.post(200, "/v1/invoices/"+cyc["id"].(string)+"/finalize", "")
		if fin["credits_applied"] != "2.50" || fin["total"] != "31.00" {
			t.Errorf("finalized: credits %v total %v, want 2.50 and 31.00", fin["credits_applied"], fin["total"])
		}
		if l := lineOf(fin, "exec"); l["credit_units"] != "250.000000" {
			t.Errorf("finalized usage line: %v", l)
		}
		w.wantBalance("after the draw", cust, "", "credits", "used", "250.000000")
		w.wantBalance("after the draw", cust, "", "credits", "remaining", "750.000000")

		// A void gives the 250 credits back.
		w.post(200, "/v1/invoices/"+cyc["id"].(string)+"/void", "")
		w.wantBalance("after the void", cust, "", "credits", "remaining", "1000.000000")
		w.wantBalance("after the void", cust, "", "credits", "used", "0.000000")
		led := w.get("/v1/customers/" + cust + "/credit_ledger")["data"].([]any)
		var kinds, bals []string
		for _, e := range led {
			m := e.(map[string]any)
			if m["unit"] == "credits" {
				kinds, bals = append(kinds, m["kind"].(string)), append(bals, m["balance"].(string))
			}
		}
		if fmt.Sprint(kinds) != "[grant draw release]" || fmt.Sprint(bals) != "[1000.000000 750.000000 1000.000000]" {
			t.Errorf("ledger of credits: %v %v", kinds, bals)
		}
		page := w.get("/v1/customers/" + cust + "/credit_ledger?limit=2")
		if len(page["data"].([]any)) != 2 || page["next_cursor"] == nil {
			t.Errorf("ledger page: %v", page)
		}
	})
}

func TestMoneyGrantAppliesToAllPaysFees(t *testing.T) {
	// $100 applying to all, plan pro. On Mar 20 two invoices would draw it:
	// the March start draft ($31 fee) and March's open period, whose closing
	// invoice carries April's $31 fee: pending 62.00, remaining 38.00. Once
	// the start draft is finalized its $31 is used, the other still
	// pending. A grant applying to usage would leave fees alone (above).
	apptest.Each(t, ts("2026-03-20T00:00:00Z"), func(t *testing.T, s *apptest.Server) {
		w := newWorld(t, s)
		sub := w.subscribe("acme", "pro", "2026-03-01T00:00:00Z", "")
		cust := w.customerOf(sub)
		w.post(201, "/v1/customers/"+cust+"/credit_grants", `{"amount":"100","applies_to":"all"}`)
		w.post(422, "/v1/customers/"+cust+"/credit_grants", `{"amount":"5","applies_to":"fees","unit":"credits"}`)
		w.wantBalance("the start draft and April's fee pending", cust, "", "USD", "pending", "62.00")
		w.wantBalance("the start draft and April's fee pending", cust, "", "USD", "remaining", "38.00")
		start := w.post(200, "/v1/invoices/"+w.find(sub, "subscription_start")["id"].(string)+"/finalize", "")
		if start["credits_applied"] != "31.00" || start["total"] != "0.00" {
			t.Errorf("start: credits %v total %v, want 31.00 and 0.00", start["credits_applied"], start["total"])
		}
		w.wantBalance("finalized", cust, "", "USD", "used", "31.00")
		w.wantBalance("finalized", cust, "", "USD", "pending", "31.00")
		w.wantBalance("finalized", cust, "", "USD", "remaining", "38.00")
	})
}

func TestGrantsByExpiryAndPriority(t *testing.T) {
	// Plan pro, March: 12 executions × $1 = $12 usage, April's $31 fee.
	// Grants of $10 each, applying to usage, made Mar 5:
	//   X expires Mar 25 (mid-period: pays nothing of March),
	//   Y expires May 1, priority 2 (soonest expiry among those that pay),
	//   Z never expires, priority 1.
	// March's invoice: Y pays $10, Z $2: credits_applied 12.00, total 31.00.
	apptest.Each(t, ts("2026-03-05T00:00:00Z"), func(t *testing.T, s *apptest.Server) {
		w := newWorld(t, s)
		sub := w.subscribe("acme", "pro", "2026-03-01T00:00:00Z", "")
		cust := w.customerOf(sub)
		w.post(201, "/v1/customers/"+cust+"/credit_grants", `{"amount":"10","expires_at":"2026-03-25T00:00:00Z"}`)
		w.post(201, "/v1/customers/"+cust+"/credit_grants", `{"amount":"10","expires_at":"2026-05-01T00:00:00Z","priority":2}`)
		w.post(201, "/v1/customers/"+cust+"/credit_grants", `{"amount":"10","priority":1}`)
		s.Clock.Set(ts("2026-03-20T00:00:00Z"))
		at := make([]string, 12)
		for i := range at {
			at[i] = "2026-03-10T00:00:00Z"
		}
		w.events("acme", at...)
		// Mar 20: X holds 10 (pays nothing), Y 10 − 10 pending, Z 10 − 2.
		w.wantBalance("Mar 20", cust, "2026-03-20T00:00:00Z", "USD", "pending", "12.00")
		w.wantBalance("Mar 20", cust, "2026-03-20T00:00:00Z", "USD", "remaining", "18.00")
		// Mar 26: X has expired: 8.00 left.
		w.wantBalance("Mar 26", cust, "2026-03-26T00:00:00Z", "USD", "expired", "10.00")
		w.wantBalance("Mar 26", cust, "2026-03-26T00:00:00Z", "USD", "remaining", "8.00")

		s.Clock.Set(ts("2026-04-01T01:00:00Z"))
		w.post(201, "/v1/invoice_runs", `{"wait":true}`)
		fin := w.post(200, "/v1/invoices/"+w.find(sub, "cycle")["id"].(string)+"/finalize", "")
		if fin["subtotal"] != "43.00" || fin["credits_applied"] != "12.00" || fin["total"] != "31.00" {
			t.Errorf("finalized: subtotal %v credits %v total %v, want 43.00, 12.00, 31.00", fin["subtotal"], fin["credits_applied"], fin["total"])
		}
		b := w.balance(cust, "", "USD")
		if b["used"] != "12.00" || b["expired"] != "10.00" || b["remaining"] != "8.00" || b["pending"] != "0.00" {
			t.Errorf("Apr 1 balance: %v", b)
		}
		var used []string
		for _, g := range b["grants"].([]any) {
			used = append(used, g.(map[string]any)["used"].(string))
		}
		if fmt.Sprint(used) != "[0.00 10.00 2.00]" { // draw order: X, Y, Z
			t.Errorf("used per grant %v, want [0.00 10.00 2.00]", used)
		}
	})
}

func TestPaidGrantIssuesAManualInvoiceAndWaitsForPayment(t *testing.T) {
	// $10 buys 1,000 credits. The purchase invoice: manual, no
	// subscription, a zero-length period at the purchase, one $10 line. The
	// credits count once it is paid; voiding a purchase usable immediately
	// voids its credits.
	apptest.Each(t, ts("2026-03-20T00:00:00Z"), func(t *testing.T, s *apptest.Server) {
		w := newWorld(t, s)
		cust := w.post(201, "/v1/customers", `{"external_id":"buyer","currency":"USD"}`)["id"].(string)
		g := w.post(201, "/v1/customers/"+cust+"/credit_grants", `{"amount":"1000","unit":"credits","conversion_rate":"0.01","paid":true,"price":"10.00"}`)
		invID, _ := g["invoice_id"].(string)
		inv := w.get("/v1/invoices/" + invID)
		if inv["billing_reason"] != "manual" || inv["subscription_id"] != nil || inv["period_start"] != inv["period_end"] || inv["total"] != "10.00" || inv["status"] != "draft" {
			t.Fatalf("purchase invoice: %v", inv)
		}
		w.wantBalance("unpaid", cust, "", "credits", "remaining", "0.000000")
		fin := w.post(200, "/v1/invoices/"+invID+"/finalize", "")
		if fin["number"] == nil || fin["credits_applied"] != "0.00" || fin["total"] != "10.00" {
			t.Errorf("finalized purchase: %v", fin)
		}
		w.wantBalance("finalized, unpaid", cust, "", "credits", "remaining", "0.000000")
		w.post(200, "/v1/invoices/"+invID+"/mark_paid", "")
		w.wantBalance("paid", cust, "", "credits", "remaining", "1000.000000")

		g2 := w.post(201, "/v1/customers/"+cust+"/credit_grants", `{"amount":"500","unit":"credits","conversion_rate":"0.01","paid":true,"price":"5.00","usable":"immediately"}`)
		w.wantBalance("usable immediately", cust, "", "credits", "remaining", "1500.000000")
		w.post(200, "/v1/invoices/"+g2["invoice_id"].(string)+"/void", "")
		w.wantBalance("its purchase voided", cust, "", "credits", "remaining", "1000.000000")
		w.wantBalance("its purchase voided", cust, "", "credits", "voided", "500.000000")
		w.post(422, "/v1/customers/"+cust+"/credit_grants", `{"amount":"5","paid":true,"usable":"later"}`)
		w.post(422, "/v1/customers/"+cust+"/credit_grants", `{"amount":"5","price":"1.00"}`)
	})
}

func TestConcurrentFinalizationsAndVoidsNeverDrawTwice(t *testing.T) {
	// One customer, six subscriptions on pro (each with a $31 start draft)
	// and one $50 grant applying to all. Finalizations, voids, ingestion of
	// the customer's events and balance reads race; afterwards the grant
	// holds exactly 50 − what the invoices that are not void say they drew,
	// never below zero, and the live (cached) balance is the fresh one.
	apptest.Each(t, ts("2026-03-20T00:00:00Z"), func(t *testing.T, s *apptest.Server) {
		w := newWorld(t, s)
		var subs []string
		for i := 0; i < 6; i++ {
			subs = append(subs, w.subscribe("acme", "pro", "2026-03-01T00:00:00Z", ""))
		}
		cust := w.customerOf(subs[0])
		w.post(201, "/v1/customers/"+cust+"/credit_grants", `{"amount":"50","applies_to":"all"}`)
		var ids []string
		for _, sub := range subs {
			ids = append(ids, w.find(sub, "subscription_start")["id"].(string))
		}
		var wg sync.WaitGroup
		// Ingestion of the customer's usage races too: 4 batches of 5
		// executions ($1 each) in March.
		for b := 0; b < 4; b++ {
			wg.Add(1)
			go func(b int) {
				defer wg.Done()
				var evs []map[string]any
				for j := 0; j < 5; j++ {
					evs = append(evs, map[string]any{"id": fmt.Sprintf("race-%d-%d", b, j), "event_name": "agent.execution", "customer": "acme", "timestamp": "2026-03-19T12:00:00Z"})
				}
				s.Do("POST", "/v1/events/batch", w.key, map[string]any{"events": evs})
				live := w.balance(cust, "", "USD")
				if decimal.RequireFromString(live["remaining"].(string)).IsNegative() {
					t.Errorf("negative balance during the race: %v", live)
				}
			}(b)
		}
		for i, id := range ids {
			wg.Add(2)
			go func(id string) {
				defer wg.Done()
				s.Do("POST", "/v1/invoices/"+id+"/finalize", w.key, nil)
			}(id)
			go func(id string, void bool) {
				defer wg.Done()
				if void {
					s.Do("POST", "/v1/invoices/"+id+"/void", w.key, nil)
				}
				s.Do("GET", "/v1/customers/"+cust+"/credit_balance", w.key, nil)
			}(id, i%2 == 0)
		}
		wg.Wait()
		drawn := decimal.Zero
		for _, id := range ids {
			inv := w.get("/v1/invoices/" + id)
			if inv["status"] == "finalized" {
				drawn = drawn.Add(decimal.RequireFromString(inv["credits_applied"].(string)))
			}
		}
		b := w.balance(cust, "", "USD")
		used := decimal.RequireFromString(b["used"].(string))
		if !used.Equal(drawn) || used.GreaterThan(decimal.NewFromInt(50)) || decimal.RequireFromString(b["remaining"].(string)).IsNegative() {
			t.Errorf("used %s, finalized invoices drew %s; balance %v", used, drawn, b)
		}
		// The live answer (cacheable) is the one computed afresh a microsecond
		// after now (never cached): no write left it stale.
		fresh := w.balance(cust, "2026-03-20T00:00:00.000001Z", "USD")
		for _, f := range []string{"used", "pending", "remaining"} {
			if b[f] != fresh[f] {
				t.Errorf("live balance %s = %v, computed afresh %v", f, b[f], fresh[f])
			}
		}
		led := w.get("/v1/customers/" + cust + "/credit_ledger?limit=500")["data"].([]any)
		last := led[len(led)-1].(map[string]any)
		for _, e := range led {
			if decimal.RequireFromString(e.(map[string]any)["balance"].(string)).IsNegative() {
				t.Errorf("ledger went negative: %v", e)
			}
		}
		if want := decimal.NewFromInt(50).Sub(drawn).StringFixed(2); last["balance"] != want {
			t.Errorf("ledger ends at %v, want %s", last["balance"], want)
		}
	})
}

func TestLiveBalanceIsNeverStale(t *testing.T) {
	// 1,000 credits, executions at 10 credits. The live balance is read
	// (and cached) after each write; each must show at once: 2 executions
	// = 980 left, a second grant of 500 = 1,480, 3 more = 1,450, the grant
	// voided = 950; March drafted on Apr 1: 50 pending; finalized: 50 used.
	apptest.Each(t, ts("2026-03-20T00:00:00Z"), func(t *testing.T, s *apptest.Server) {
		w := newWorld(t, s)
		w.aiPlan()
		sub := w.subscribe("acme", "ai", "2026-03-01T00:00:00Z", "")
		cust := w.customerOf(sub)
		w.post(201, "/v1/customers/"+cust+"/credit_grants", `{"amount":"1000","unit":"credits","conversion_rate":"0.01"}`)
		w.wantBalance("granted", cust, "", "credits", "remaining", "1000.000000")
		w.events("acme", "2026-03-19T10:00:00Z", "2026-03-19T10:00:00Z")
		w.wantBalance("2 executions", cust, "", "credits", "remaining", "980.000000")
		g := w.post(201, "/v1/customers/"+cust+"/credit_grants", `{"amount":"500","unit":"credits","conversion_rate":"0.01"}`)
		w.wantBalance("a second grant", cust, "", "credits", "remaining", "1480.000000")
		w.events("acme", "2026-03-19T11:00:00Z", "2026-03-19T11:00:00Z", "2026-03-19T11:00:00Z")
		w.wantBalance("3 more", cust, "", "credits", "remaining", "1450.000000")
		s.Must(200, "DELETE", "/v1/customers/"+cust+"/credit_grants/"+g["id"].(string), w.key, nil)
		w.wantBalance("the second voided", cust, "", "credits", "remaining", "950.000000")
		s.Clock.Set(ts("2026-04-01T01:00:00Z"))
		w.post(201, "/v1/invoice_runs", `{"wait":true}`)
		w.wantBalance("March drafted", cust, "", "credits", "pending", "50.000000")
		w.post(200, "/v1/invoices/"+w.find(sub, "cycle")["id"].(string)+"/finalize", "")
		w.wantBalance("finalized", cust, "", "credits", "used", "50.000000")
		w.wantBalance("finalized", cust, "", "credits", "pending", "0.000000")
	})
}
