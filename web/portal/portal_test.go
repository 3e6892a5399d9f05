package portal_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tallyhq/tally/app/apptest"
)

var dataTotal = regexp.MustCompile(`class="card bill"[^>]*data-total="([^"]+)"`)

func TestTheLinkOpensAPortalSession(t *testing.T) {
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		w := newWorld(t, s)
		link, _ := w.link(t, w.acme, "")
		b := newBrowser(t)
		res, _ := b.get(t, link)
		t.Run("the token moves into an HttpOnly, SameSite=Lax cookie and out of the address", func(t *testing.T) {
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/portal" {
				t.Fatalf("first visit: %d to %q", res.StatusCode, res.Header.Get("Location"))
			}
			ck := res.Header.Get("Set-Cookie")
			tok := strings.TrimPrefix(link[strings.Index(link, "token="):], "token=")
			for _, want := range []string{"tally_portal=" + tok, "Path=/portal", "HttpOnly", "SameSite=Lax", "Max-Age=86400"} {
				if !strings.Contains(ck, want) {
					t.Errorf("Set-Cookie %q lacks %s", ck, want)
				}
			}
			if strings.Contains(ck, "Secure") {
				t.Errorf("Secure on plain HTTP: %q", ck)
			}
		})
		t.Run("the page's total is the API's", func(t *testing.T) {
			res, page := b.get(t, s.URL+"/portal")
			if res.StatusCode != 200 {
				t.Fatalf("GET /portal = %d: %s", res.StatusCode, page)
			}
			m := dataTotal.FindStringSubmatch(page)
			if m == nil || m[1] != w.proposedTotal(t, w.acme) {
				t.Errorf("page total %v, API %s", m, w.proposedTotal(t, w.acme))
			}
			contains(t, "the bill", page, "Acme GmbH", "The first 5 calls are free", "Tier 1 (0 to 20)", "Graduated pricing", "Your prepaid credit pays", "days left of 31",
				`data-days="10"`, "running low")
		})
		t.Run("every page answers for the session", func(t *testing.T) {
			for path, want := range map[string]string{"/portal/invoices": "/portal/invoices/" + w.acmeInv, "/portal/invoices/" + w.acmeInv: "Print or save as PDF",
				"/portal/credits": "Welcome credit", "/portal/advisor": "BYOK Pro", "/portal/budgets": "Spend",
				"/portal/bill": `data-total="` + w.proposedTotal(t, w.acme) + `"` /* the part app.js refreshes */} {
				res, page := b.get(t, s.URL+path)
				if res.StatusCode != 200 || !strings.Contains(page, want) {
					t.Errorf("GET %s = %d, has %q: %v", path, res.StatusCode, want, strings.Contains(page, want))
				}
			}
		})
		t.Run("another customer's invoice is not found", func(t *testing.T) {
			if res, _ := b.get(t, s.URL+"/portal/invoices/"+w.bobInv); res.StatusCode != 404 {
				t.Errorf("bob's invoice: %d", res.StatusCode)
			}
		})
		t.Run("signing out forgets the session", func(t *testing.T) {
			_, page := b.get(t, s.URL+"/portal")
			res, _ := b.post(t, s.URL+"/portal/sign_out", url.Values{"csrf_token": {csrfOf(t, page)}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("sign out: %d", res.StatusCode)
			}
			if res, _ := b.get(t, s.URL+"/portal"); res.StatusCode != 401 {
				t.Errorf("after signing out: %d", res.StatusCode)
			}
		})
	})
}

func TestBadLinksAreRefused(t *testing.T) {
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		w := newWorld(t, s)
		revoked, revokedID := w.link(t, w.acme, "")
		s.Must(200, "DELETE", "/v1/customers/"+w.acme+"/portal_tokens/"+revokedID, w.key, nil)
		expiring, _ := w.link(t, w.acme, "1h")
		cases := []struct{ name, url, says string }{
			{"a revoked link", revoked, "was revoked"},
			{"an unknown link", s.URL + "/portal?token=tly_prt_" + strings.Repeat("a", 32), "not known"},
			{"an admin key in the link", s.URL + "/portal?token=" + w.key, "not a portal link"},
			{"no link at all", s.URL + "/portal", "no portal session"},
		}
		for _, c := range cases {
			t.Run(c.name+" is a 401 page and sets no cookie", func(t *testing.T) {
				res, page := newBrowser(t).get(t, c.url)
				if res.StatusCode != 401 || !strings.Contains(page, c.says) || strings.Contains(res.Header.Get("Set-Cookie"), "tally_portal=tly") {
					t.Errorf("%d %q (wants %q): %s", res.StatusCode, res.Header.Get("Set-Cookie"), c.says, page)
				}
			})
		}
		t.Run("a session ends when its token is revoked", func(t *testing.T) {
			link, id := w.link(t, w.acme, "")
			b := newBrowser(t)
			b.get(t, link)
			if res, _ := b.get(t, s.URL+"/portal/credits"); res.StatusCode != 200 {
				t.Fatalf("before revoking: %d", res.StatusCode)
			}
			s.Must(200, "DELETE", "/v1/customers/"+w.acme+"/portal_tokens/"+id, w.key, nil)
			if res, _ := b.get(t, s.URL+"/portal/credits"); res.StatusCode != 401 {
				t.Errorf("after revoking: %d", res.StatusCode)
			}
		})
		t.Run("an expired link is a 401 page on the tenant's clock", func(t *testing.T) {
			s.Must(200, "PUT", "/v1/test_clock", w.key, obj{"now": "2026-03-10T13:00:00Z"})
			res, page := newBrowser(t).get(t, expiring)
			if res.StatusCode != 401 || !strings.Contains(page, "expired") {
				t.Errorf("%d: %s", res.StatusCode, page)
			}
		})
	})
}

func TestBudgetFormsNeedTheSessionsCSRFToken(t *testing.T) {
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		w := newWorld(t, s)
		link, _ := w.link(t, w.acme, "")
		b := newBrowser(t)
		b.get(t, link)
		_, page := b.get(t, s.URL+"/portal/budgets")
		token := csrfOf(t, page)
		count := func() int {
			return len(s.Must(200, "GET", "/v1/customers/"+w.acme+"/budgets", w.key, nil).JSON()["data"].([]any))
		}
		before := count()
		form := url.Values{"kind": {"spend"}, "amount": {"25.00"}, "thresholds": {"50, 90"}}
		t.Run("a form without the token is refused and stores nothing", func(t *testing.T) {
			if res, _ := b.post(t, s.URL+"/portal/budgets", form); res.StatusCode != 403 || count() != before {
				t.Errorf("%d, %d budgets", res.StatusCode, count())
			}
		})
		t.Run("a token of another session is refused", func(t *testing.T) {
			other := newBrowser(t)
			otherLink, _ := w.link(t, w.acme, "")
			other.get(t, otherLink)
			_, otherPage := other.get(t, s.URL+"/portal/budgets")
			f := url.Values{"csrf_token": {csrfOf(t, otherPage)}}
			for k, v := range form {
				f[k] = v
			}
			if res, _ := b.post(t, s.URL+"/portal/budgets", f); res.StatusCode != 403 || count() != before {
				t.Errorf("%d, %d budgets", res.StatusCode, count())
			}
		})
		t.Run("a bad value re-shows the form with the field's message and stores nothing", func(t *testing.T) {
			f := url.Values{"csrf_token": {token}, "kind": {"spend"}, "amount": {"-5"}, "thresholds": {"50"}}
			res, page := b.post(t, s.URL+"/portal/budgets", f)
			if res.StatusCode != 422 || !strings.Contains(page, `aria-invalid="true"`) || count() != before {
				t.Errorf("%d, %d budgets", res.StatusCode, count())
			}
		})
		t.Run("with the token the budget is stored, seen by the API and shown with its progress", func(t *testing.T) {
			f := url.Values{"csrf_token": {token}}
			for k, v := range form {
				f[k] = v
			}
			res, _ := b.post(t, s.URL+"/portal/budgets", f)
			if res.StatusCode != http.StatusSeeOther || count() != before+1 {
				t.Fatalf("%d, %d budgets", res.StatusCode, count())
			}
			_, page := b.get(t, s.URL+"/portal/budgets?created=1")
			contains(t, "the budgets page", page, "Budget saved", `max="100"`, "of $25.00")
		})
		t.Run("another customer's budget cannot be deleted", func(t *testing.T) {
			id := s.Must(201, "POST", "/v1/customers/"+w.bob+"/budgets", w.key, obj{"amount": "9.00"}).JSON()["id"].(string)
			if res, _ := b.post(t, s.URL+"/portal/budgets/"+id+"/delete", url.Values{"csrf_token": {token}}); res.StatusCode != 404 {
				t.Errorf("deleting bob's budget: %d", res.StatusCode)
			}
		})
	})
}
