package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally/app/apptest"
	"github.com/tallyhq/tally/webhooks"
)

// receiver is a webhook endpoint that checks each delivery's signature and
// keeps the events.
type receiver struct {
	t      testing.TB
	clock  func() time.Time
	mu     sync.Mutex
	secret string
	events []budgetEvent
}

type budgetEvent struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	Data struct {
		BudgetID  string `json:"budget_id"`
		Kind      string `json:"kind"`
		Meter     string `json:"meter"`
		Threshold int    `json:"threshold"`
		Limit     string `json:"limit"`
		Value     string `json:"value"`
		// credits.low and credits.exhausted
		CustomerID string `json:"customer_id"`
		Unit       string `json:"unit"`
		Remaining  string `json:"remaining"`
		Level      string `json:"level"`
	} `json:"data"`
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if err := webhooks.Verify(rc.secret, r.Header.Get(webhooks.SignatureHeader), body, rc.clock(), 5*time.Minute); err != nil {
		rc.t.Errorf("delivery signature: %v", err)
		w.WriteHeader(400)
		return
	}
	var e budgetEvent
	if err := json.Unmarshal(body, &e); err != nil {
		rc.t.Errorf("delivery body %s: %v", body, err)
	}
	rc.events = append(rc.events, e)
}

// got is every threshold received, as "spend:50" or "usage:calls:50", in
// order of arrival.
func (rc *receiver) got() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []string
	ids := map[string]bool{}
	for _, e := range rc.events {
		if e.Type != webhooks.BudgetThresholdReached {
			rc.t.Errorf("event of type %q", e.Type)
		}
		if ids[e.ID] {
			rc.t.Errorf("event %s received twice", e.ID)
		}
		ids[e.ID] = true
		if e.Data.Kind == "usage" {
			out = append(out, fmt.Sprintf("usage:%s:%d", e.Data.Meter, e.Data.Threshold))
		} else {
			out = append(out, fmt.Sprintf("spend:%d", e.Data.Threshold))
		}
	}
	return out
}

// TestBudgetThresholdsReachedAsEventsArrive: a $10 spend budget (50, 80,
// 100 %) and a usage budget of 20 calls (50 %) on a customer billed $1 a
// call; each batch of events wakes the budget worker (the scheduler is
// off), and each threshold reaches the receiver once, when the proposed
// invoice passes $5, $8 and $10 (and 10 calls), and 50 % once more in the
// next period.
func TestBudgetThresholdsReachedAsEventsArrive(t *testing.T) {
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		ctx := context.Background()
		f := newFixture(t, s, "Budgets")
		f.countMeter("calls", "api.call")
		f.create("/v1/plans", obj{"key": "metered", "currency": "usd", "interval": "month",
			"prices": list{obj{"key": "calls", "type": "usage", "meter": "calls", "model": "per_unit", "amount": "1.00"}}})
		cus := f.customer("acme", "usd")
		f.subscribe("acme", "metered")

		rc := &receiver{t: t, clock: time.Now} // deliveries are signed at the wall-clock send time
		hook := httptest.NewServer(rc)
		defer hook.Close()
		ep := f.create("/v1/webhook_endpoints", obj{"url": hook.URL, "events": list{"budget.threshold_reached"}})
		rc.mu.Lock()
		rc.secret = ep["secret"].(string)
		rc.mu.Unlock()

		spend := f.create("/v1/customers/"+cus+"/budgets", obj{"amount": "10.00", "period": "billing_period", "thresholds": list{100, 50, 80}})
		if spend["kind"] != "spend" || spend["customer_id"] != cus || spend["meter"] != nil || spend["quantity"] != nil || spend["period"] != "billing_period" {
			t.Errorf("spend budget echoed wrongly: %v", spend)
		}
		wantDecimal(t, "spend budget amount", spend["amount"], "10")
		if fmt.Sprint(spend["thresholds"]) != "[50 80 100]" {
			t.Errorf("thresholds %v, want [50 80 100] (sorted)", spend["thresholds"])
		}
		usage := f.create("/v1/customers/"+cus+"/budgets", obj{"meter": "calls", "quantity": 20, "thresholds": list{50}})
		if usage["kind"] != "usage" || usage["meter"] != "calls" || usage["amount"] != nil {
			t.Errorf("usage budget echoed wrongly: %v", usage)
		}

		n := 0
		post := func(calls int) {
			t.Helper()
			var evs []any
			for i := 0; i < calls; i++ {
				n++
				evs = append(evs, event(fmt.Sprintf("e%d", n), "api.call", "acme", now.Add(-time.Hour), nil))
			}
			if res := f.batch(evs...); res.Accepted != calls {
				t.Fatalf("accepted %d of %d", res.Accepted, calls)
			}
		}
		// deliver sends what is due until the receiver holds want (the
		// worker evaluates asynchronously), then checks nothing else came.
		deliver := func(what string, want ...string) {
			t.Helper()
			deadline := time.Now().Add(10 * time.Second)
			for {
				if _, err := s.App.Services.Dispatcher.RunOnce(ctx); err != nil {
					t.Fatal(err)
				}
				got := rc.got()
				if len(got) >= len(want) || time.Now().After(deadline) {
					sort.Strings(got)
					w := append([]string(nil), want...)
					sort.Strings(w)
					if fmt.Sprint(got) != fmt.Sprint(w) {
						t.Fatalf("%s: received %v, want %v", what, got, w)
					}
					return
				}
				time.Sleep(20 * time.Millisecond)
			}
		}

		post(4)
		post(1) // $5
		deliver("at $5 the 50 % threshold", "spend:50")
		post(2) // $7
		post(1) // $8
		deliver("at $8 the 80 % threshold", "spend:50", "spend:80")
		post(2) // $10, 10 calls
		deliver("at $10 the 100 % threshold, and half the 20 calls", "spend:50", "spend:80", "spend:100", "usage:calls:50")
		post(5) // $15: nothing new
		// The safety net finds nothing more to report either.
		if err := s.App.Services.Budgets.EvaluateAll(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
		deliver("past every threshold", "spend:50", "spend:80", "spend:100", "usage:calls:50")
		rc.mu.Lock()
		for _, e := range rc.events {
			if e.Data.Kind == "spend" && (e.Data.BudgetID != spend["id"] || e.Data.Limit != "10") {
				t.Errorf("spend event names budget %s limit %s", e.Data.BudgetID, e.Data.Limit)
			}
		}
		rc.mu.Unlock()

		// The tenant's test clock moves into April: a new billing period
		// starts from nothing, and $5 there reports 50 % again (the worker
		// reads the tenant's now, as its requests do).
		april := time.Date(2026, 4, 10, 12, 0, 0, 0, time.UTC)
		must(t, s, 200, "PUT", "/v1/test_clock", f.key, obj{"now": april.Format(time.RFC3339)})
		var evs []any
		for i := 0; i < 5; i++ {
			evs = append(evs, event(fmt.Sprintf("april%d", i), "api.call", "acme", april.Add(-time.Hour), nil))
		}
		if res := f.batch(evs...); res.Accepted != 5 {
			t.Fatalf("accepted %d of 5 in April", res.Accepted)
		}
		deliver("in April, 50 % again", "spend:50", "spend:80", "spend:100", "usage:calls:50", "spend:50")

		// GET lists both, oldest first; DELETE removes one.
		var l struct {
			Data []map[string]any `json:"data"`
		}
		must(t, s, 200, "GET", "/v1/customers/"+cus+"/budgets", f.key, nil).Decode(t, &l)
		if len(l.Data) != 2 || l.Data[0]["id"] != spend["id"] || l.Data[1]["id"] != usage["id"] {
			t.Fatalf("budgets %v", l.Data)
		}
		del := must(t, s, 200, "DELETE", "/v1/customers/"+cus+"/budgets/"+spend["id"].(string), f.key, nil).JSON(t)
		if del["id"] != spend["id"] {
			t.Errorf("delete answered %v", del)
		}
		wantError(t, call(t, s, "DELETE", "/v1/customers/"+cus+"/budgets/"+spend["id"].(string), f.key, nil), 404, "")
		must(t, s, 200, "GET", "/v1/customers/"+cus+"/budgets", f.key, nil).Decode(t, &l)
		if len(l.Data) != 1 || l.Data[0]["id"] != usage["id"] {
			t.Fatalf("after delete, budgets %v", l.Data)
		}
		// Another tenant sees none of it.
		other := newFixture(t, s, "Other")
		wantError(t, call(t, s, "GET", "/v1/customers/"+cus+"/budgets", other.key, nil), 404, "")
		wantError(t, call(t, s, "DELETE", "/v1/customers/"+cus+"/budgets/"+usage["id"].(string), other.key, nil), 404, "")
	})
}

func TestBudgetValidationNamesTheField(t *testing.T) {
	s := apptest.Start(t, "sqlite", now)
	f := newFixture(t, s, "Budget validation")
	f.countMeter("calls", "api.call")
	cus := f.customer("acme", "usd")
	path := "/v1/customers/" + cus + "/budgets"
	for _, tc := range []struct {
		name   string
		body   obj
		fields []string
	}{
		{"a budget needs a limit", obj{}, []string{"amount"}},
		{"a spend limit is positive", obj{"amount": "0"}, []string{"amount"}},
		{"a usage budget needs its quantity", obj{"meter": "calls"}, []string{"quantity"}},
		{"a usage limit is positive", obj{"meter": "calls", "quantity": -1}, []string{"quantity"}},
		{"a quantity needs a meter", obj{"quantity": 5}, []string{"meter"}},
		{"the meter exists", obj{"meter": "nope", "quantity": 5}, []string{"meter"}},
		{"the period is billing_period", obj{"amount": 10, "period": "week"}, []string{"period"}},
		{"thresholds are percentages, named by index", obj{"amount": 10, "thresholds": list{50, 0, 2000}}, []string{"thresholds[1]", "thresholds[2]"}},
		{"a threshold is given once", obj{"amount": 10, "thresholds": list{80, 50, 80}}, []string{"thresholds[2]"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, call(t, s, "POST", path, f.key, tc.body), 422, "", tc.fields...)
		})
	}
	wantError(t, call(t, s, "POST", "/v1/customers/cus_nope/budgets", f.key, obj{"amount": 10}), 404, "")
}

// types is the type of every event received, in order of arrival.
func (rc *receiver) types() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []string
	for _, e := range rc.events {
		out = append(out, e.Type)
	}
	return out
}

// TestCreditAlertsOncePerCrossing: $10 of free credit on a customer billed
// $1 a call; credits.low comes once the live balance is at 20 % ($2 left),
// credits.exhausted at zero, each once; a new grant re-arms them and the
// next crossing reports low again.
func TestCreditAlertsOncePerCrossing(t *testing.T) {
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		ctx := context.Background()
		f := newFixture(t, s, "Credit alerts")
		f.countMeter("calls", "api.call")
		f.create("/v1/plans", obj{"key": "metered", "currency": "usd", "interval": "month",
			"prices": list{obj{"key": "calls", "type": "usage", "meter": "calls", "model": "per_unit", "amount": "1.00"}}})
		cus := f.customer("acme", "usd")
		f.subscribe("acme", "metered")
		rc := &receiver{t: t, clock: time.Now}
		hook := httptest.NewServer(rc)
		defer hook.Close()
		ep := f.create("/v1/webhook_endpoints", obj{"url": hook.URL, "events": list{"credits.low", "credits.exhausted"}})
		rc.mu.Lock()
		rc.secret = ep["secret"].(string)
		rc.mu.Unlock()
		f.create("/v1/customers/"+cus+"/credit_grants", obj{"amount": "10.00"})

		n := 0
		post := func(calls int) {
			t.Helper()
			var evs []any
			for i := 0; i < calls; i++ {
				n++
				evs = append(evs, event(fmt.Sprintf("c%d", n), "api.call", "acme", now.Add(-time.Hour), nil))
			}
			if res := f.batch(evs...); res.Accepted != calls {
				t.Fatalf("accepted %d of %d", res.Accepted, calls)
			}
		}
		deliver := func(what string, want ...string) {
			t.Helper()
			deadline := time.Now().Add(10 * time.Second)
			for {
				if _, err := s.App.Services.Dispatcher.RunOnce(ctx); err != nil {
					t.Fatal(err)
				}
				got := rc.types()
				if len(got) >= len(want) || time.Now().After(deadline) {
					if fmt.Sprint(got) != fmt.Sprint(want) {
						t.Fatalf("%s: received %v, want %v", what, got, want)
					}
					return
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		post(7) // $3 left
		post(1) // $2 left: 20 %
		deliver("at $2 of $10 left", "credits.low")
		post(1)
		post(1) // $0
		deliver("at $0", "credits.low", "credits.exhausted")
		post(2) // past zero: nothing new, even from the safety net
		if err := s.App.Services.Budgets.EvaluateAll(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
		deliver("past zero", "credits.low", "credits.exhausted")
		// $10 more: granted $20, $12 used, $8 left re-arms both; $4 left
		// (20 % of 20) is low again.
		f.create("/v1/customers/"+cus+"/credit_grants", obj{"amount": "10.00"})
		if err := s.App.Services.Budgets.EvaluateAll(ctx); err != nil { // re-arms now (the worker, woken by the grant, may be later)
			t.Fatal(err)
		}
		post(4)
		deliver("after a new grant, low again", "credits.low", "credits.exhausted", "credits.low")
	})
}
