package web_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/tallyhq/tally/app/apptest"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/web"
	"github.com/tallyhq/tally/web/webtest"
)

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestOwnsSendsOnlyPagePathsToThePages(t *testing.T) {
	cases := []struct {
		path string
		page bool
	}{
		{"/", true}, {"/favicon.ico", true}, {"/assets/style.css", true},
		{"/portal", true}, {"/portal/invoices/inv_1", true}, {"/console", true}, {"/console/plans", true},
		{"/v1/portal/customer", false}, {"/v1/events", false}, {"/healthz", false}, {"/openapi.json", false},
		{"/portalx", false}, {"/consoles", false}, {"/api/v1/events", false},
	}
	for _, c := range cases {
		if got := web.Owns(c.path); got != c.page {
			t.Errorf("Owns(%q) = %v, want %v", c.path, got, c.page)
		}
	}
}

func TestTheBinaryServesPagesBesideTheAPI(t *testing.T) {
	s := apptest.Start(t, store.SQLite, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	t.Run("a browser at / gets the landing page, not a JSON 404", func(t *testing.T) {
		resp, body := get(t, s.URL+"/")
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("GET / = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		for _, want := range []string{"Tally is running", `href="/console/"`, `/assets/style.css`} {
			if !strings.Contains(body, want) {
				t.Errorf("landing page lacks %q", want)
			}
		}
		for h, want := range map[string]string{"X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"} {
			if got := resp.Header.Get(h); got != want {
				t.Errorf("%s = %q, want %q", h, got, want)
			}
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("CSP = %q", csp)
		}
	})
	t.Run("the embedded assets are served with their types", func(t *testing.T) {
		for path, typ := range map[string]string{"/assets/style.css": "text/css", "/assets/app.js": "text/javascript", "/assets/favicon.svg": "image/svg+xml"} {
			resp, body := get(t, s.URL+path)
			if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), typ) || len(body) < 100 {
				t.Errorf("GET %s = %d %q (%d bytes)", path, resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
			}
		}
	})
	t.Run("an unknown page is an HTML 404 page", func(t *testing.T) {
		resp, body := get(t, s.URL+"/assets/nope.css")
		if resp.StatusCode != 404 {
			t.Errorf("GET /assets/nope.css = %d", resp.StatusCode)
		}
		_ = body
		resp, body = get(t, s.URL+"/console/no-such-page-here")
		if resp.StatusCode != 404 || !strings.Contains(body, "Not Found") || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Errorf("GET /console/no-such-page-here = %d %q", resp.StatusCode, body)
		}
	})
	t.Run("API paths still answer JSON", func(t *testing.T) {
		resp, body := get(t, s.URL+"/v1/no-such-route")
		if resp.StatusCode != 404 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") || !strings.Contains(body, `"error"`) {
			t.Errorf("GET /v1/no-such-route = %d %q %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		resp, _ = get(t, s.URL+"/healthz")
		if resp.StatusCode != 200 {
			t.Errorf("GET /healthz = %d", resp.StatusCode)
		}
	})
}

func TestTheLandingPageInABrowser(t *testing.T) {
	ctx := webtest.Browser(t)
	s := apptest.Start(t, store.SQLite, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	webtest.Do(t, ctx, "open /", chromedp.Navigate(s.URL+"/"), chromedp.WaitVisible(chromedp.CSS("h1")))
	h1 := webtest.Get(t, ctx, "read h1", chromedp.Text(chromedp.CSS("h1")))
	if h1 != "Tally is running" {
		t.Errorf("h1 = %q", h1)
	}
	// The stylesheet applied (the CSP allows it): the primary button is brand blue.
	bg := webtest.Get(t, ctx, "read style", chromedp.Evaluate[string](`getComputedStyle(document.querySelector(".button.primary")).backgroundColor`))
	if bg != "rgb(31, 79, 209)" {
		t.Errorf("primary button background = %q: the stylesheet did not load", bg)
	}
	webtest.Screenshot(t, ctx, "home")
}
