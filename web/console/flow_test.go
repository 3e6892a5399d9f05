package console_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/app/apptest"
	"github.com/tallyhq/tally/web/console"
)

var totalRE = regexp.MustCompile(`class="num proposed-total" data-amount="([^"]+)"`)

func TestBillingThroughTheConsoleForms(t *testing.T) {
	apptest.Each(t, t0, func(t *testing.T, s *apptest.Server) {
		key := tenant(s, "acme")
		b := newBrowser(t, s)
		tok := b.login(key)
		post := func(path string, v url.Values) page {
			t.Helper()
			v.Set("csrf_token", tok)
			return b.post(path, v)
		}
		redirected := func(what string, p page) string {
			t.Helper()
			if p.Status != http.StatusSeeOther {
				t.Fatalf("%s = %d: %.800s", what, p.Status, p.Body)
			}
			return p.Header.Get("Location")
		}
		redirected("create meter", post("/console/meters", url.Values{"key": {"executions"}, "event_name": {"execution"}, "aggregation_type": {"count"}, "unit": {"executions"}}))

		t.Run("an invalid plan is shown again with each problem next to its field, and nothing is stored", func(t *testing.T) {
			p := post("/console/plans", url.Values{"key": {"starter"}, "currency": {"USD"}, "interval": {"month"},
				"prices[0].key": {"base"}, "prices[0].type": {"fixed"}, "prices[0].model": {"flat"},
				"prices[1].key": {"runs"}, "prices[1].type": {"usage"}, "prices[1].model": {"per_unit"}, "prices[1].meter": {"nope"}, "prices[1].amount": {"0.001"}})
			if p.Status != http.StatusUnprocessableEntity {
				t.Fatalf("invalid plan = %d", p.Status)
			}
			contains(t, p, `<span class="error" id="e-prices-0-amount">is required for the flat model</span>`, `aria-invalid="true"`,
				`<code>prices[1].meter</code> unknown meter`, `value="starter"`)
			if l := s.Must(200, "GET", "/v1/plans", key, nil).JSON()["data"].([]any); len(l) != 0 {
				t.Errorf("%d plans stored", len(l))
			}
		})
		t.Run("the editor's live calculator prices the plan being written, or says what is wrong with it", func(t *testing.T) {
			q := "/console/plans/preview?key=draft&currency=USD&interval=month&prices[0].key=base&prices[0].type=fixed&prices[0].model=flat" +
				"&prices[1].key=runs&prices[1].type=usage&prices[1].model=package&prices[1].meter=executions&prices[1].package_size=1000&usage.executions=2500"
			p := b.get(q + "&prices[0].amount=10&prices[1].amount=2")
			contains(t, p, `At 2,500 executions this plan costs <strong class="total">$16.00</strong>`) // 10 + 3 packages × 2
			p = b.get(q + "&prices[1].amount=2")
			contains(t, p, `<code>prices[0].amount</code> is required for the flat model`)
			if strings.Contains(p.Body, `class="total"`) {
				t.Error("an invalid plan got a price")
			}
			if l := s.Must(200, "GET", "/v1/plans", key, nil).JSON()["data"].([]any); len(l) != 0 {
				t.Errorf("the preview stored %d plans", len(l))
			}
		})
		loc := redirected("create plan", post("/console/plans", url.Values{"key": {"starter"}, "name": {"Starter"}, "currency": {"USD"}, "interval": {"month"},
			"prices[0].key": {"base"}, "prices[0].type": {"fixed"}, "prices[0].model": {"flat"}, "prices[0].amount": {"19"},
			"prices[1].key": {"runs"}, "prices[1].type": {"usage"}, "prices[1].model": {"tiered"}, "prices[1].meter": {"executions"}, "prices[1].tier_mode": {"graduated"},
			"prices[1].tiers[0].up_to": {"10000"}, "prices[1].tiers[0].unit_amount": {"0"}, "prices[1].tiers[1].unit_amount": {"0.001"}}))
		planID := strings.TrimSuffix(strings.TrimPrefix(loc, "/console/plans/"), "?done=plan")
		t.Run("the calculator quotes the plan as the API's compare does", func(t *testing.T) {
			p := b.get("/console/plans/" + planID + "/calculate?usage.executions=50000")
			contains(t, p, `At 50,000 executions this plan costs <strong class="total">$59.00</strong>`)
			api := s.Must(200, "POST", "/v1/plans/compare", key, map[string]any{"plans": []string{"starter"}, "usage": map[string]string{"executions": "50000"}}).JSON()
			if got := api["plans"].([]any)[0].(map[string]any)["total"]; got != "59.00" {
				t.Errorf("the API's compare = %v", got)
			}
		})
		loc = redirected("create customer", post("/console/customers", url.Values{"external_id": {"c-1"}, "name": {"Initech"}, "currency": {"USD"}, "timezone": {"Europe/Berlin"}}))
		custID := strings.TrimSuffix(strings.TrimPrefix(loc, "/console/customers/"), "?done=customer")
		redirected("subscribe", post("/console/customers/"+custID+"/subscriptions", url.Values{"plan": {"starter"}}))
		redirected("grant", post("/console/customers/"+custID+"/credit_grants", url.Values{"amount": {"5"}, "name": {"Welcome"}}))
		t.Run("a grant with a bad amount names the field", func(t *testing.T) {
			p := post("/console/customers/"+custID+"/credit_grants", url.Values{"amount": {"lots"}})
			if p.Status != http.StatusUnprocessableEntity {
				t.Fatalf("bad grant = %d", p.Status)
			}
			contains(t, p, `<span class="error" id="e-amount">must be a number`)
		})
		s.Clock.Advance(10 * time.Minute)
		events := []map[string]any{}
		for i := 0; i < 12000; i += 1000 {
			events = append(events, map[string]any{"id": "e" + decimal.NewFromInt(int64(i)).String(), "event_name": "execution", "customer": "c-1", "timestamp": t0.Add(time.Minute).Format(time.RFC3339)})
		}
		s.Must(202, "POST", "/v1/events/batch", key, map[string]any{"events": events})
		s.Must(201, "POST", "/v1/customers/"+custID+"/budgets", key, map[string]any{"amount": "40", "thresholds": []int{25, 80}})
		t.Run("a budget's bar is the proposed spend against its limit", func(t *testing.T) {
			spend := decimal.Zero
			for _, inv := range s.Must(200, "GET", "/v1/customers/"+custID+"/proposed_invoices", key, nil).JSON()["data"].([]any) {
				spend = spend.Add(decimal.RequireFromString(inv.(map[string]any)["total"].(string)))
			}
			pct := spend.Mul(decimal.NewFromInt(100)).Div(decimal.NewFromInt(40)).IntPart()
			if pct <= 0 {
				t.Fatalf("spend %s: nothing to draw", spend)
			}
			level := ""
			if pct >= 25 {
				level = "warn"
			}
			contains(t, b.get("/console/customers/"+custID), fmt.Sprintf(`<progress class="%s" max="100" value="%d" aria-label="%d%% of the budget used">`, level, pct, pct))
		})
		t.Run("the customer page's proposed total is the API's, written in the reader's locale", func(t *testing.T) {
			p := b.get("/console/customers/" + custID)
			m := totalRE.FindStringSubmatch(p.Body)
			if m == nil {
				t.Fatalf("no proposed total on the page: %.2000s", p.Body)
			}
			api := s.Must(200, "GET", "/v1/customers/"+custID+"/proposed_invoices", key, nil).JSON()["data"].([]any)[0].(map[string]any)
			if m[1] != api["total"] {
				t.Errorf("page total %s, API %s", m[1], api["total"])
			}
			req, _ := http.NewRequest("GET", s.URL+"/console/customers/"+custID, nil)
			req.Header.Set("Accept-Language", "de-DE,de;q=0.9")
			resp, err := b.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			contains(t, read(t, resp), "19,00\u00a0$", `<rect class="bar"`)
		})

		// Invoices: a run from the console, then the lifecycle actions.
		s.Clock.Advance(31 * 24 * time.Hour)
		b = newBrowser(t, s) // the old session idled out over the month
		tok = b.login(key)
		run := redirected("start run", post("/console/runs", url.Values{}))
		waitRun(t, b, run)
		list := s.Must(200, "GET", "/v1/invoices?customer="+custID+"&status=draft", key, nil).JSON()["data"].([]any)
		var inv map[string]any
		for _, x := range list {
			if x.(map[string]any)["billing_reason"] == "cycle" {
				inv = x.(map[string]any)
			}
		}
		if inv == nil {
			t.Fatalf("no cycle draft after the run: %v", list)
		}
		id := inv["id"].(string)
		p := b.get("/console/invoices/" + id)
		contains(t, p, `data-amount="`+inv["total"].(string)+`"`, "Finalize")
		if p := b.get("/console/invoices?status=draft&customer=" + custID); !strings.Contains(p.Body, "/console/invoices/"+id) {
			t.Errorf("the filtered list lacks the draft")
		}
		if p := b.get("/console/invoices?customer=c-1"); !strings.Contains(p.Body, "/console/invoices/"+id) {
			t.Errorf("the list filtered by the external id lacks the invoice")
		}
		if p := b.get("/console/invoices?customer=nobody"); strings.Contains(p.Body, "/console/invoices/"+id) {
			t.Errorf("the list filtered by an unknown customer shows the invoice")
		}
		if p := b.get("/console/invoices?from=2027-06-01"); strings.Contains(p.Body, "/console/invoices/"+id) {
			t.Errorf("the period filter kept an invoice of an earlier period")
		}
		ep := s.Must(201, "POST", "/v1/webhook_endpoints", key, map[string]any{"url": "https://h.example/x", "events": []string{"invoice.finalized"}}).JSON()
		for _, step := range []struct{ action, want string }{{"finalize", "finalized"}, {"void", "void"}} {
			redirected(step.action, post("/console/invoices/"+id+"/"+step.action, url.Values{}))
			if got := s.Must(200, "GET", "/v1/invoices/"+id, key, nil).JSON()["status"]; got != step.want {
				t.Errorf("after %s the API says %v", step.action, got)
			}
		}
		loc = redirected("regenerate", post("/console/invoices/"+id+"/regenerate", url.Values{}))
		if got := s.Must(200, "GET", "/v1/invoices/"+id, key, nil).JSON()["replaced_by"]; got == nil || !strings.Contains(loc, got.(string)) {
			t.Errorf("regenerate went to %s; the API's replaced_by is %v", loc, got)
		}
		ds := s.Must(200, "GET", "/v1/webhook_endpoints/"+ep["id"].(string)+"/deliveries", key, nil).JSON()["data"].([]any)
		if len(ds) != 1 {
			t.Fatalf("%d deliveries of invoice.finalized", len(ds))
		}
		if loc := redirected("redeliver", post("/console/deliveries/"+ds[0].(map[string]any)["id"].(string)+"/redeliver", url.Values{})); loc != "/console/webhooks/"+ep["id"].(string)+"?done=redeliver" {
			t.Errorf("redeliver went to %s", loc)
		}
		if p := b.get("/console/webhooks/" + ep["id"].(string)); !strings.Contains(p.Body, "invoice.finalized") {
			t.Errorf("the deliveries page lacks the delivery")
		}
		if p := post("/console/invoices/"+id+"/finalize", url.Values{}); p.Status != http.StatusConflict || !strings.Contains(p.Body, "Conflict") {
			t.Errorf("finalizing a void invoice = %d, want the 409 page", p.Status)
		}

		t.Run("a plan change and a cancellation from the customer page", func(t *testing.T) {
			s.Must(201, "POST", "/v1/plans", key, map[string]any{"key": "growth", "currency": "USD", "interval": "month", "prices": []any{
				map[string]any{"key": "base", "type": "fixed", "model": "flat", "amount": "49"}}})
			subs := s.Must(200, "GET", "/v1/subscriptions?customer="+custID, key, nil).JSON()["data"].([]any)
			old := subs[0].(map[string]any)["id"].(string)
			if p := post("/console/subscriptions/"+old+"/change_plan", url.Values{"plan": {"nope"}, "at": {"now"}}); p.Status != http.StatusUnprocessableEntity && p.Status != http.StatusNotFound {
				t.Errorf("a change to an unknown plan = %d", p.Status)
			} else if !strings.Contains(p.Body, "nope") {
				t.Errorf("the refusal does not name the plan: %.300s", p.Body)
			}
			redirected("change plan", post("/console/subscriptions/"+old+"/change_plan", url.Values{"plan": {"growth"}, "at": {"now"}}))
			var next string
			for _, x := range s.Must(200, "GET", "/v1/subscriptions?customer="+custID, key, nil).JSON()["data"].([]any) {
				sub := x.(map[string]any)
				if sub["plan"] == "growth" {
					next = sub["id"].(string)
				}
				if sub["id"] == old && sub["ends_at"] == nil {
					t.Error("the old subscription did not end")
				}
			}
			if next == "" {
				t.Fatal("no subscription to growth after the change")
			}
			redirected("cancel", post("/console/subscriptions/"+next+"/cancel", url.Values{"at": {"period_end"}}))
			if got := s.Must(200, "GET", "/v1/subscriptions/"+next, key, nil).JSON()["ends_at"]; got == nil {
				t.Error("the cancellation set no end")
			}
		})
		t.Run("every page of the route table renders", func(t *testing.T) {
			ids := map[string]string{"plan": planID, "customer": custID, "invoice": id, "run": strings.TrimPrefix(run, "/console/runs/")}
			ids["endpoint"] = ep["id"].(string)
			for _, r := range console.Routes() {
				if r.Method != "GET" || r.Path == "/console/login" {
					continue
				}
				path := r.Path
				if r.Owned != "" {
					path = fill(path, ids[r.Owned])
				}
				if p := b.get(path); p.Status != http.StatusOK {
					t.Errorf("GET %s = %d: %.300s", path, p.Status, p.Body)
				}
			}
		})
	})
}

// waitRun waits for the run page to say the run finished.
func waitRun(t *testing.T, b *browser, path string) {
	t.Helper()
	for i := 0; i < 100; i++ {
		p := b.get(path + "/progress")
		if !strings.Contains(p.Body, ">running<") {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the run at %s did not finish", path)
}
