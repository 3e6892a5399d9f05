package portal_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/tallyhq/tally/app/apptest"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/web/webtest"
)

// TestThePortalInABrowser opens the portal from a link in headless
// Chromium: the bill's total is the API's, the chart has a bar per day so
// far, every page is photographed at desktop and phone widths, a budget is
// set through the form, a form without its CSRF token is refused, and
// revoked, other customers' and expired links are refused.
func TestThePortalInABrowser(t *testing.T) {
	ctx := webtest.Browser(t)
	s := apptest.Start(t, store.SQLite, now)
	w := newWorld(t, s)
	link, _ := w.link(t, w.acme, "")
	text := func(what, js string) string { return webtest.Get(t, ctx, what, chromedp.Evaluate[string](js)) }

	webtest.Do(t, ctx, "open the link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS(".bill")))
	t.Run("the token left the address bar", func(t *testing.T) {
		if loc := text("location", `location.href`); strings.Contains(loc, "token") || !strings.HasSuffix(loc, "/portal") {
			t.Errorf("address %q", loc)
		}
		if c := text("cookie", `document.cookie`); strings.Contains(c, "tally_portal") {
			t.Errorf("the cookie is readable from script: %q", c)
		}
	})
	t.Run("the proposed invoice's total is the API's", func(t *testing.T) {
		page := text("total", `document.querySelector(".bill").dataset.total`)
		shown := text("shown total", `document.querySelector(".bill .total-big").textContent`)
		if api := w.proposedTotal(t, w.acme); page != api || shown != "$"+api {
			t.Errorf("page %q (shown %q), API %s", page, shown, api)
		}
	})
	t.Run("the chart has one bar per day so far, each with its value on hover", func(t *testing.T) {
		bars := text("bars", `String(document.querySelectorAll(".meter-chart svg rect.bar").length)`)
		if n, _ := strconv.Atoi(bars); n != 10 { // March 1 … 10 in Berlin
			t.Errorf("%s bars, want 10", bars)
		}
		if title := text("hover", `document.querySelector(".meter-chart svg rect.bar title").textContent`); title != "Sun, Mar 1: 1 call" {
			t.Errorf("first bar's title %q", title)
		}
	})
	t.Run("the bar values add up to the quantity billed", func(t *testing.T) {
		sum := text("sum", `String([...document.querySelectorAll(".meter-chart svg rect.bar")].reduce((a, b) => a + Number(b.dataset.value), 0))`)
		line := text("line", `document.querySelector(".lines tbody tr.line td[data-label=Quantity]").textContent`)
		if sum != line {
			t.Errorf("bars sum to %s, the line bills %s", sum, line)
		}
	})
	webtest.Screenshot(t, ctx, "portal-overview")
	t.Run("the keyboard reaches the skip link first and then every bar of the chart", func(t *testing.T) {
		webtest.Do(t, ctx, "tab", chromedp.KeyEvent("\t"))
		if cls := text("focus", `document.activeElement.className`); cls != "skip" {
			t.Errorf("first Tab focuses %q, want the skip link", cls)
		}
		focusable := text("bars", `String([...document.querySelectorAll(".meter-chart rect.bar")].filter(b => b.tabIndex === 0).length)`)
		if focusable != "10" {
			t.Errorf("%s bars reachable by keyboard, want 10", focusable)
		}
	})

	pages := []struct{ name, path, wait string }{
		{"portal-invoices", "/portal/invoices", "table"},
		{"portal-invoice", "/portal/invoices/" + w.acmeInv, ".invoice-doc"},
		{"portal-credits", "/portal/credits", "table"},
		{"portal-advisor", "/portal/advisor", ".advice-headline"},
		{"portal-budgets", "/portal/budgets", "form.stack"},
	}
	for _, p := range pages {
		webtest.Do(t, ctx, "open "+p.path, chromedp.Navigate(s.URL+p.path), chromedp.WaitVisible(chromedp.CSS(p.wait)))
		webtest.Screenshot(t, ctx, p.name)
	}

	t.Run("a budget set through the form shows as a progress bar", func(t *testing.T) {
		webtest.Do(t, ctx, "fill the form", chromedp.Navigate(s.URL+"/portal/budgets"), chromedp.WaitVisible(chromedp.CSS("#amount")),
			chromedp.SendKeys(chromedp.CSS("#amount"), "20.00"), chromedp.Submit(chromedp.CSS("#amount")),
			chromedp.WaitVisible(chromedp.CSS(".notice.ok")))
		if n := text("bars", `String(document.querySelectorAll(".budget progress").length)`); n != "2" {
			t.Errorf("%s budget bars, want 2", n)
		}
	})
	t.Run("a budget form posted without the CSRF token is refused", func(t *testing.T) {
		webtest.Do(t, ctx, "post without the token", chromedp.Navigate(s.URL+"/portal/budgets"), chromedp.WaitVisible(chromedp.CSS("#amount")),
			chromedp.Evaluate[chromedp.Void](`document.querySelector("form.stack input[name=csrf_token]").remove(); document.querySelector("#amount").value = "7"; document.querySelector("form.stack").submit()`),
			chromedp.WaitVisible(chromedp.CSS("section.empty")))
		if h := text("h1", `document.querySelector("h1").textContent`); h != "Forbidden" {
			t.Errorf("page %q, want Forbidden", h)
		}
		if n := len(s.Must(200, "GET", "/v1/customers/"+w.acme+"/budgets", w.key, nil).JSON()["data"].([]any)); n != 2 {
			t.Errorf("%d budgets stored, want 2", n)
		}
	})
	t.Run("another customer's link shows only that customer", func(t *testing.T) {
		bobLink, _ := w.link(t, w.bob, "")
		webtest.Do(t, ctx, "open bob's link", chromedp.Navigate(bobLink), chromedp.WaitVisible(chromedp.CSS(".bill")))
		if who := text("who", `document.querySelector(".eyebrow").textContent`); !strings.Contains(who, "Bob") {
			t.Errorf("bob's portal says %q", who)
		}
		webtest.Do(t, ctx, "open acme's invoice", chromedp.Navigate(s.URL+"/portal/invoices/"+w.acmeInv), chromedp.WaitVisible(chromedp.CSS("section.empty")))
		if h := text("h1", `document.querySelector("h1").textContent`); h != "Not Found" {
			t.Errorf("acme's invoice on bob's session: %q", h)
		}
	})
	refusedPage := func(t *testing.T, u, says string) {
		t.Helper()
		webtest.Do(t, ctx, "open "+u, chromedp.Navigate(u), chromedp.WaitVisible(chromedp.CSS("section.empty")))
		if body := text("body", `document.querySelector("main").textContent`); !strings.Contains(body, says) || !strings.Contains(body, "Unauthorized") {
			t.Errorf("page says %q, want %q", body, says)
		}
	}
	t.Run("a revoked link is refused", func(t *testing.T) {
		u, id := w.link(t, w.acme, "")
		s.Must(200, "DELETE", "/v1/customers/"+w.acme+"/portal_tokens/"+id, w.key, nil)
		refusedPage(t, u, "was revoked")
		webtest.Screenshot(t, ctx, "portal-refused")
	})
	t.Run("an expired link is refused", func(t *testing.T) {
		s.Clock.Advance(25 * time.Hour)
		refusedPage(t, link, "expired")
	})
}
