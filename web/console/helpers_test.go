package console_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tallyhq/tally/app/apptest"
)

// browser is an HTTP client with cookies that does not follow redirects.
type browser struct {
	t      *testing.T
	s      *apptest.Server
	client *http.Client
}

func newBrowser(t *testing.T, s *apptest.Server) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, s: s, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	Status int
	Body   string
	Header http.Header
}

func (b *browser) get(path string) page {
	b.t.Helper()
	resp, err := b.client.Get(b.s.URL + path)
	if err != nil {
		b.t.Fatal(err)
	}
	return read(b.t, resp)
}

func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	resp, err := b.client.PostForm(b.s.URL+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	return read(b.t, resp)
}

func read(t *testing.T, resp *http.Response) page {
	t.Helper()
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return page{Status: resp.StatusCode, Body: string(body), Header: resp.Header}
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// csrf is the first CSRF token on a page.
func csrf(t *testing.T, p page) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no csrf token on the page (%d): %.400s", p.Status, p.Body)
	}
	return m[1]
}

// login logs the browser in with key and returns the session's CSRF token.
func (b *browser) login(key string) string {
	b.t.Helper()
	form := b.get("/console/login")
	p := b.post("/console/login", url.Values{"csrf_token": {csrf(b.t, form)}, "api_key": {key}})
	if p.Status != http.StatusSeeOther {
		b.t.Fatalf("login = %d: %.600s", p.Status, p.Body)
	}
	return csrf(b.t, b.get("/console/"))
}

// tenant creates a tenant and returns its admin key.
func tenant(s *apptest.Server, name string) string { return s.NewTenant(name) }

func contains(t *testing.T, p page, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(p.Body, w) {
			t.Errorf("page (%d) lacks %q", p.Status, w)
		}
	}
}
