package console_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/app"
	"github.com/tallyhq/tally/app/apptest"
	"github.com/tallyhq/tally/store"
)

var t0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

func sessionCookie(t *testing.T, p page) *http.Cookie {
	t.Helper()
	for _, c := range (&http.Response{Header: p.Header}).Cookies() {
		if c.Name == "tally_console" && c.Value != "" {
			return c
		}
	}
	t.Fatalf("no session cookie set: %v", p.Header["Set-Cookie"])
	return nil
}

func TestLoggingInAndOut(t *testing.T) {
	apptest.Each(t, t0, func(t *testing.T, s *apptest.Server) {
		key := tenant(s, "acme")
		b := newBrowser(t, s)
		t.Run("a page without a session sends the browser to the login form", func(t *testing.T) {
			p := b.get("/console/customers")
			if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Header.Get("Location"), "/console/login?next=") {
				t.Fatalf("GET /console/customers = %d %s", p.Status, p.Header.Get("Location"))
			}
		})
		form := b.get("/console/login")
		token := csrf(t, form)
		t.Run("an unknown key, or an ingest key, is refused with the form again", func(t *testing.T) {
			ingest := s.Must(201, "POST", "/v1/api_keys", key, map[string]any{"kind": "ingest", "name": "app"}).JSON()["key"].(string)
			for _, k := range []string{"tly_adm_nope", ingest, ""} {
				p := b.post("/console/login", url.Values{"csrf_token": {token}, "api_key": {k}})
				if p.Status != http.StatusUnauthorized || !strings.Contains(p.Body, "does not open the console") {
					t.Errorf("login with %q = %d", k, p.Status)
				}
				token = csrf(t, p)
			}
		})
		p := b.post("/console/login", url.Values{"csrf_token": {token}, "api_key": {key}, "next": {"/console/meters"}})
		t.Run("an admin key opens a session whose cookie holds a random id, never the key", func(t *testing.T) {
			if p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/console/meters" {
				t.Fatalf("login = %d %s", p.Status, p.Header.Get("Location"))
			}
			c := sessionCookie(t, p)
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || c.Path != "/console" {
				t.Errorf("cookie flags: HttpOnly %v SameSite %v Secure %v Path %q", c.HttpOnly, c.SameSite, c.Secure, c.Path)
			}
			if strings.Contains(c.Value, key) || len(c.Value) < 40 {
				t.Errorf("cookie value %q", c.Value)
			}
			var stored []string
			s.App.DB.Gorm.Raw("SELECT id_hash || api_key_id || csrf_token FROM console_sessions").Scan(&stored)
			if len(stored) != 1 || strings.Contains(stored[0], c.Value) || strings.Contains(stored[0], key) {
				t.Errorf("stored sessions %v hold the cookie or the key", stored)
			}
			if page := b.get("/console/meters"); page.Status != 200 || !strings.Contains(page.Body, `aria-current="page">Meters`) {
				t.Errorf("GET /console/meters = %d", page.Status)
			}
		})
		t.Run("a ?next= off the console is ignored", func(t *testing.T) {
			b2 := newBrowser(t, s)
			tok := csrf(t, b2.get("/console/login"))
			p := b2.post("/console/login", url.Values{"csrf_token": {tok}, "api_key": {key}, "next": {"//evil.example/console/"}})
			if p.Header.Get("Location") != "/console/" {
				t.Errorf("Location = %q", p.Header.Get("Location"))
			}
		})
		t.Run("logging out deletes the session", func(t *testing.T) {
			tok := csrf(t, b.get("/console/"))
			p := b.post("/console/logout", url.Values{"csrf_token": {tok}})
			if p.Status != http.StatusSeeOther {
				t.Fatalf("logout = %d", p.Status)
			}
			var n int64
			s.App.DB.Gorm.Raw("SELECT COUNT(*) FROM console_sessions WHERE tenant_id = (SELECT tenant_id FROM api_keys WHERE name = 'default admin key' LIMIT 1)").Scan(&n)
			if got := b.get("/console/"); got.Status != http.StatusSeeOther {
				t.Errorf("after logout GET /console/ = %d", got.Status)
			}
			if n != 1 { // the other browser's session remains
				t.Errorf("%d sessions left, want 1", n)
			}
		})
	})
}

func TestSessionsExpire(t *testing.T) {
	s := apptest.Start(t, store.SQLite, t0)
	key := tenant(s, "acme")
	t.Run("after 30 idle minutes", func(t *testing.T) {
		b := newBrowser(t, s)
		b.login(key)
		s.Clock.Advance(29 * time.Minute)
		if p := b.get("/console/"); p.Status != 200 {
			t.Fatalf("29 minutes on: %d", p.Status)
		}
		s.Clock.Advance(30 * time.Minute)
		if p := b.get("/console/"); p.Status != http.StatusSeeOther {
			t.Errorf("30 idle minutes on: %d, want the login redirect", p.Status)
		}
	})
	t.Run("12 hours after login however busy", func(t *testing.T) {
		b := newBrowser(t, s)
		b.login(key)
		for i := 0; i < 35; i++ {
			s.Clock.Advance(20 * time.Minute)
			if p := b.get("/console/"); p.Status != 200 {
				t.Fatalf("%d minutes on: %d", (i+1)*20, p.Status)
			}
		}
		s.Clock.Advance(21 * time.Minute) // 12 h 1 min
		if p := b.get("/console/"); p.Status != http.StatusSeeOther {
			t.Errorf("12 hours on: %d", p.Status)
		}
	})
	t.Run("a tenant's test clock moving on does not end the session", func(t *testing.T) {
		b := newBrowser(t, s)
		b.login(key)
		s.Must(200, "PUT", "/v1/test_clock", key, map[string]any{"now": s.Clock.Now(nil).AddDate(0, 2, 0).Format(time.RFC3339)})
		if p := b.get("/console/"); p.Status != 200 {
			t.Errorf("after the test clock moved: %d", p.Status)
		}
	})
}

func TestRevokingTheKeyEndsItsSessions(t *testing.T) {
	apptest.Each(t, t0, func(t *testing.T, s *apptest.Server) {
		key := tenant(s, "acme")
		other := s.Must(201, "POST", "/v1/api_keys", key, map[string]any{"kind": "admin", "name": "ops"}).JSON()
		b := newBrowser(t, s)
		b.login(other["key"].(string))
		s.Must(200, "DELETE", "/v1/api_keys/"+other["id"].(string), key, nil)
		if p := b.get("/console/"); p.Status != http.StatusSeeOther {
			t.Errorf("after the key was revoked: %d", p.Status)
		}
		var n int64
		s.App.DB.Gorm.Raw("SELECT COUNT(*) FROM console_sessions WHERE api_key_id = ?", other["id"]).Scan(&n)
		if n != 0 {
			t.Errorf("%d sessions of the revoked key left", n)
		}
	})
}

func TestCookiesAreSecureBehindTLS(t *testing.T) {
	t.Run("with TALLY_SECURE_COOKIES on plain HTTP", func(t *testing.T) {
		s := apptest.StartWith(t, store.SQLite, t0, func(c *app.Config) { c.SecureCookies = true })
		b := newBrowser(t, s)
		form := b.get("/console/login")
		for _, c := range (&http.Response{Header: form.Header}).Cookies() {
			if !c.Secure || !c.HttpOnly {
				t.Errorf("login cookie %s: Secure %v HttpOnly %v", c.Name, c.Secure, c.HttpOnly)
			}
		}
	})
	t.Run("over TLS", func(t *testing.T) {
		s := apptest.Start(t, store.SQLite, t0)
		key := tenant(s, "acme")
		ts := httptest.NewTLSServer(s.App.Handler())
		defer ts.Close()
		client := ts.Client()
		jar := newBrowser(t, s).client.Jar
		client.Jar, client.CheckRedirect = jar, func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		resp, err := client.Get(ts.URL + "/console/login")
		if err != nil {
			t.Fatal(err)
		}
		form := read(t, resp)
		resp, err = client.PostForm(ts.URL+"/console/login", url.Values{"csrf_token": {csrf(t, form)}, "api_key": {key}})
		if err != nil {
			t.Fatal(err)
		}
		if c := sessionCookie(t, read(t, resp)); !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
			t.Errorf("session cookie over TLS: Secure %v HttpOnly %v SameSite %v", c.Secure, c.HttpOnly, c.SameSite)
		}
	})
}

func TestFailedLoginsAreLimited(t *testing.T) {
	s := apptest.Start(t, store.SQLite, t0)
	key := tenant(s, "acme")
	b := newBrowser(t, s)
	token := csrf(t, b.get("/console/login"))
	for i := 0; i < 5; i++ {
		p := b.post("/console/login", url.Values{"csrf_token": {token}, "api_key": {"tly_adm_wrong"}})
		if p.Status != http.StatusUnauthorized {
			t.Fatalf("attempt %d = %d", i+1, p.Status)
		}
	}
	if p := b.post("/console/login", url.Values{"csrf_token": {token}, "api_key": {key}}); p.Status != http.StatusTooManyRequests || !strings.Contains(p.Body, "Try again after") {
		t.Errorf("6th attempt, with the right key = %d, want 429", p.Status)
	}
	req, _ := http.NewRequest("POST", s.URL+"/console/login", strings.NewReader(url.Values{"csrf_token": {token}, "api_key": {key}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	resp, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if p := read(t, resp); p.Status != http.StatusTooManyRequests {
		t.Errorf("a forged X-Forwarded-For got around the limit: %d", p.Status)
	}
	s.Clock.Advance(11 * time.Minute)
	if p := b.post("/console/login", url.Values{"csrf_token": {token}, "api_key": {key}}); p.Status != http.StatusSeeOther {
		t.Errorf("after the window = %d", p.Status)
	}
}
