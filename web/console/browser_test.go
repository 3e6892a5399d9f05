package console_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/app/apptest"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/web/webtest"
)

// TestAnAdminRunsBillingInTheBrowser drives the console in headless
// Chromium: log in, create a meter and a plan through the forms, add and
// subscribe a customer, grant credits; events come through the API; the
// console's proposed invoice total must equal the API's, and a form posted
// without its CSRF token is refused. Every main page is screenshot at
// desktop and phone widths.
func TestAnAdminRunsBillingInTheBrowser(t *testing.T) {
	ctx := webtest.Browser(t)
	s := apptest.Start(t, store.SQLite, t0)
	key := tenant(s, "Acme Robotics")
	// Events before the meter exists: the meter form previews them.
	for i, model := range []string{"fast", "fast", "slow"} {
		s.Must(202, "POST", "/v1/events", key, map[string]any{"id": "pre-" + string(rune('a'+i)), "event_name": "execution", "customer": "c-1",
			"timestamp": t0.Add(-time.Hour).Format(time.RFC3339), "properties": map[string]any{"model": model}})
	}
	u := s.URL
	set := func(id, v string) chromedp.Action[chromedp.Void] { return chromedp.SetValue(chromedp.ID(id), v) }
	submit := func(form string) chromedp.Action[chromedp.Void] {
		return chromedp.Click(chromedp.CSS(form + ` button[type="submit"].primary`))
	}

	// send submits a form and returns once the page it leads to has loaded.
	send := func(what, form string) {
		t.Helper()
		resp, err := chromedp.RunResponse(ctx, submit(form))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if resp.Status >= 400 {
			t.Fatalf("%s: HTTP %d", what, resp.Status)
		}
	}
	webtest.Do(t, ctx, "open the login form", chromedp.Navigate(u+"/console/"), chromedp.WaitVisible(chromedp.ID("f-api_key")))
	webtest.Screenshot(t, ctx, "console-login")
	webtest.Do(t, ctx, "type the key", chromedp.SendKeys(chromedp.ID("f-api_key"), key))
	send("log in", `form[action="/console/login"]`)
	webtest.Do(t, ctx, "the overview", chromedp.WaitVisible(chromedp.CSS(".cards .stat")))
	webtest.Screenshot(t, ctx, "console-overview")

	webtest.Do(t, ctx, "meter form", chromedp.Navigate(u+"/console/meters/new"), chromedp.WaitVisible(chromedp.ID("f-key")),
		chromedp.SendKeys(chromedp.ID("f-key"), "executions"), chromedp.SendKeys(chromedp.ID("f-name"), "Executions"),
		chromedp.SendKeys(chromedp.ID("f-event_name"), "execution"), chromedp.SendKeys(chromedp.ID("f-filters"), `{"model": ["fast"]}`),
		chromedp.SendKeys(chromedp.ID("f-unit"), "executions"))
	// The preview follows the typing: wait for the answer to the last keystroke.
	webtest.Do(t, ctx, "live preview", chromedp.Poll[chromedp.Void](`(document.querySelector("#preview p") || {}).textContent === "2 of the last 3 execution events match."`, chromedp.WithPollingTimeout(10*time.Second)))
	preview := webtest.Get(t, ctx, "read the preview", chromedp.Text(chromedp.CSS("#preview p")))
	if !strings.Contains(preview, "2 of the last 3") {
		t.Errorf("preview says %q, want 2 of the last 3 events matching", preview)
	}
	webtest.Screenshot(t, ctx, "console-meter-new")
	send("create the meter", `form[action="/console/meters"]`)
	webtest.Do(t, ctx, "the meter list", chromedp.WaitVisible(chromedp.CSS(".notice.ok")))
	webtest.Screenshot(t, ctx, "console-meters")

	webtest.Do(t, ctx, "plan form", chromedp.Navigate(u+"/console/plans/new"), chromedp.WaitVisible(chromedp.ID("f-key")),
		chromedp.SendKeys(chromedp.ID("f-key"), "starter"), chromedp.SendKeys(chromedp.ID("f-name"), "Starter"),
		chromedp.SendKeys(chromedp.ID("f-prices-0-key"), "base"), chromedp.SendKeys(chromedp.ID("f-prices-0-amount"), "19"),
		chromedp.SendKeys(chromedp.ID("f-prices-1-key"), "runs"), chromedp.SetValue(chromedp.ID("f-prices-1-meter"), "executions"),
		chromedp.SendKeys(chromedp.ID("f-prices-1-amount"), "0.001"), chromedp.SendKeys(chromedp.ID("u-executions"), "50000"))
	webtest.Do(t, ctx, "live calculator", chromedp.Poll[chromedp.Void](`(document.querySelector("#quote .big-total") || {}).textContent === "At 50,000 executions this plan costs $69.00."`, chromedp.WithPollingTimeout(10*time.Second)))
	if got := webtest.Get(t, ctx, "read the quote", chromedp.Text(chromedp.CSS("#quote .total"))); got != "$69.00" {
		t.Errorf("calculator at 50,000 executions = %q, want $69.00", got)
	}
	webtest.Screenshot(t, ctx, "console-plan-new")
	send("create the plan", `form[action="/console/plans"]`)
	webtest.Do(t, ctx, "the plan", chromedp.WaitVisible(chromedp.CSS(".notice.ok")))
	s.Must(201, "POST", "/v1/plans", key, map[string]any{"key": "growth", "name": "Growth", "currency": "USD", "interval": "month", "prices": []any{
		map[string]any{"key": "base", "type": "fixed", "model": "flat", "amount": "49"},
		map[string]any{"key": "runs", "type": "usage", "model": "tiered", "meter": "executions", "tiers": []any{
			map[string]any{"up_to": "20000", "unit_amount": "0"}, map[string]any{"unit_amount": "0.0005"}}}}})
	loc := webtest.Get(t, ctx, "plan url", chromedp.Location())
	webtest.Do(t, ctx, "break-even", chromedp.Navigate(loc+"&against=growth&meter=executions"), chromedp.WaitVisible(chromedp.CSS("svg.lines")))
	webtest.Screenshot(t, ctx, "console-plan")
	webtest.Do(t, ctx, "plans", chromedp.Navigate(u+"/console/plans"), chromedp.WaitVisible(chromedp.CSS("table")))
	webtest.Screenshot(t, ctx, "console-plans")

	webtest.Do(t, ctx, "customer form", chromedp.Navigate(u+"/console/customers/new"), chromedp.WaitVisible(chromedp.ID("f-external_id")),
		chromedp.SendKeys(chromedp.ID("f-external_id"), "c-1"), chromedp.SendKeys(chromedp.ID("f-name"), "Initech"),
		set("f-timezone", "Europe/Berlin"))
	send("create the customer", `form[action="/console/customers"]`)
	webtest.Do(t, ctx, "subscribe", chromedp.Click(chromedp.CSS("details.card summary")), chromedp.SetValue(chromedp.ID("s-plan"), "starter"))
	send("subscribe", `form[action$="/subscriptions"]`)
	webtest.Do(t, ctx, "the proposed invoice", chromedp.WaitVisible(chromedp.CSS(".proposed")))
	webtest.Do(t, ctx, "grant credits", chromedp.SendKeys(chromedp.ID("f-amount"), "5"), chromedp.SendKeys(chromedp.ID("f-name"), "Welcome"))
	send("grant credits", `form[action$="/credit_grants"]`)
	if n := webtest.Get(t, ctx, "the notice", chromedp.Text(chromedp.CSS(".notice.ok"))); n != "The credits were granted." {
		t.Fatalf("after the grant the page says %q", n)
	}
	customerURL := webtest.Get(t, ctx, "customer url", chromedp.Location())
	customerURL, _, _ = strings.Cut(customerURL, "?")
	customerID := customerURL[strings.LastIndex(customerURL, "/")+1:]

	s.Clock.Advance(10 * time.Minute) // well inside the session's idle timeout
	var batch []map[string]any
	for i := 0; i < 30; i++ {
		batch = append(batch, map[string]any{"id": "e-" + decimal.NewFromInt(int64(i)).String(), "event_name": "execution", "customer": "c-1",
			"timestamp": t0.Add(time.Duration(i+1) * 10 * time.Second).Format(time.RFC3339), "properties": map[string]any{"model": "fast"}})
	}
	s.Must(202, "POST", "/v1/events/batch", key, map[string]any{"events": batch})
	s.Must(201, "POST", "/v1/customers/"+customerID+"/budgets", key, map[string]any{"amount": "25", "thresholds": []int{50, 90}})
	webtest.Do(t, ctx, "reload the customer", chromedp.Navigate(customerURL), chromedp.WaitVisible(chromedp.CSS(".proposed-total")))
	shown := webtest.Get(t, ctx, "read the total", chromedp.AttributeValue(chromedp.CSS(".proposed-total"), "data-amount"))
	api := s.Must(200, "GET", "/v1/customers/"+customerID+"/proposed_invoices", key, nil).JSON()["data"].([]any)[0].(map[string]any)["total"].(string)
	if !decimal.RequireFromString(shown.Value).Equal(decimal.RequireFromString(api)) {
		t.Errorf("the console's proposed total %s, the API's %s", shown.Value, api)
	}
	if bars := webtest.Get(t, ctx, "count the bars", chromedp.Evaluate[int](`document.querySelectorAll("svg.bars rect.bar").length`)); bars != 1 {
		t.Errorf("%d daily bars on the first day of the period, want 1", bars)
	}
	webtest.Screenshot(t, ctx, "console-customer")

	webtest.Do(t, ctx, "post a form without its token", chromedp.Evaluate[chromedp.Void](
		`(function(){var f=document.querySelector('form[action$="/credit_grants"]');f.querySelector('[name=csrf_token]').remove();f.querySelector('[name=amount]').value='7';f.submit();})()`),
		chromedp.WaitVisible(chromedp.CSS(".empty h1")))
	if h := webtest.Get(t, ctx, "read the refusal", chromedp.Text(chromedp.CSS(".empty"))); !strings.Contains(h, "Forbidden") || !strings.Contains(h, "security token") {
		t.Errorf("a post without the token showed %q", h)
	}
	grants := s.Must(200, "GET", "/v1/customers/"+customerID+"/credit_grants", key, nil).JSON()["data"].([]any)
	if len(grants) != 1 {
		t.Errorf("%d grants after the refused post, want 1", len(grants))
	}
}

// TestTheOtherConsolePagesInTheBrowser screenshots the console's list and
// operations pages on a tenant seeded through the API, and starts an
// invoice run from its form (a test of its own: each has the harness's
// time budget).
func TestTheOtherConsolePagesInTheBrowser(t *testing.T) {
	ctx := webtest.Browser(t)
	s := apptest.Start(t, store.SQLite, t0)
	key := tenant(s, "Acme Robotics")
	u := s.URL
	s.Must(201, "POST", "/v1/meters", key, map[string]any{"key": "executions", "event_name": "execution", "aggregation": map[string]any{"type": "count"}, "unit": "executions"})
	for _, p := range []map[string]any{
		{"key": "starter", "name": "Starter", "currency": "USD", "interval": "month", "prices": []any{
			map[string]any{"key": "base", "type": "fixed", "model": "flat", "amount": "19"},
			map[string]any{"key": "runs", "type": "usage", "model": "per_unit", "meter": "executions", "amount": "0.001"}}},
		{"key": "growth", "name": "Growth", "currency": "USD", "interval": "month", "prices": []any{
			map[string]any{"key": "base", "type": "fixed", "model": "flat", "amount": "49"},
			map[string]any{"key": "runs", "type": "usage", "model": "tiered", "meter": "executions", "tiers": []any{
				map[string]any{"up_to": "20000", "unit_amount": "0"}, map[string]any{"unit_amount": "0.0005"}}}}},
	} {
		s.Must(201, "POST", "/v1/plans", key, p)
	}
	s.Must(201, "POST", "/v1/customers", key, map[string]any{"external_id": "c-1", "name": "Initech", "currency": "USD", "timezone": "Europe/Berlin"})
	s.Must(201, "POST", "/v1/subscriptions", key, map[string]any{"customer": "c-1", "plan": "starter"})
	s.Must(201, "POST", "/v1/customers", key, map[string]any{"external_id": "c-old", "name": "Globex", "currency": "USD"})
	s.Must(201, "POST", "/v1/subscriptions", key, map[string]any{"customer": "c-old", "plan": "growth", "start_at": t0.AddDate(0, -2, 0).Format(time.RFC3339)})
	login(t, ctx, u, key)
	s.Must(201, "POST", "/v1/webhook_endpoints", key, map[string]any{"url": "https://hooks.example/tally", "events": []string{"invoice.finalized"}})
	for _, p := range []struct{ name, path, wait string }{
		{"customers", "/console/customers", "table"},
		{"run-new", "/console/runs/new", "form"},
	} {
		webtest.Do(t, ctx, p.name, chromedp.Navigate(u+p.path), chromedp.WaitVisible(chromedp.CSS(p.wait)))
		webtest.Screenshot(t, ctx, "console-"+p.name)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action="/console/runs"] button.primary`))); err != nil {
		t.Fatalf("start a run: %v", err)
	}
	webtest.Do(t, ctx, "the run page", chromedp.WaitVisible(chromedp.CSS("#progress dl")))
	webtest.Do(t, ctx, "the run finishes", chromedp.Poll[chromedp.Void](`document.querySelector("#progress .badge").textContent !== "running"`, chromedp.WithPollingTimeout(20*time.Second)))
	webtest.Screenshot(t, ctx, "console-run")
	for _, p := range []struct{ name, path, wait string }{
		{"invoices", "/console/invoices", "table"},
		{"backtest", "/console/backtest?plan=starter&against=growth&from=2026-09-01&to=2026-12-01", ".cards"},
		{"webhooks", "/console/webhooks", "table"},
		{"api-keys", "/console/api_keys", "table"},
	} {
		webtest.Do(t, ctx, p.name, chromedp.Navigate(u+p.path), chromedp.WaitVisible(chromedp.CSS(p.wait)))
		webtest.Screenshot(t, ctx, "console-"+p.name)
	}
	webtest.Do(t, ctx, "an invoice", chromedp.Navigate(u+"/console/invoices"), chromedp.WaitVisible(chromedp.CSS("table")), chromedp.Click(chromedp.CSS(`td[data-label="Invoice"] a`)), chromedp.WaitVisible(chromedp.CSS(".invoice-total")))
	webtest.Screenshot(t, ctx, "console-invoice")
}

// login logs the browser in through the form.
func login(t *testing.T, ctx context.Context, base, key string) {
	t.Helper()
	webtest.Do(t, ctx, "open the login form", chromedp.Navigate(base+"/console/login"), chromedp.WaitVisible(chromedp.ID("f-api_key")),
		chromedp.SendKeys(chromedp.ID("f-api_key"), key))
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action="/console/login"] button.primary`))); err != nil {
		t.Fatalf("log in: %v", err)
	}
	webtest.Do(t, ctx, "the overview", chromedp.WaitVisible(chromedp.CSS(".cards .stat")))
}
