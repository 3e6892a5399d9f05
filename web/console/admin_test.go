package console_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tallyhq/tally/app/apptest"
)

var secretRE = regexp.MustCompile(`<code class="secret">([^<]+)</code>`)

func TestWebhooksAndKeysFromTheConsole(t *testing.T) {
	apptest.Each(t, t0, func(t *testing.T, s *apptest.Server) {
		key := tenant(s, "acme")
		b := newBrowser(t, s)
		tok := b.login(key)
		post := func(path string, v url.Values) page {
			v.Set("csrf_token", tok)
			return b.post(path, v)
		}
		t.Run("an endpoint's secret is shown once, on creation", func(t *testing.T) {
			if p := post("/console/webhooks", url.Values{"url": {"https://h.example/tally"}}); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="e-events"`) {
				t.Errorf("an endpoint without events = %d", p.Status)
			}
			p := post("/console/webhooks", url.Values{"url": {"https://h.example/tally"}, "events": {"invoice.finalized, invoice.paid"}})
			m := secretRE.FindStringSubmatch(p.Body)
			if p.Status != http.StatusCreated || m == nil {
				t.Fatalf("create endpoint = %d", p.Status)
			}
			list := s.Must(200, "GET", "/v1/webhook_endpoints", key, nil).JSON()["data"].([]any)
			if len(list) != 1 || list[0].(map[string]any)["events"].([]any)[1] != "invoice.paid" {
				t.Fatalf("endpoints %v", list)
			}
			if again := b.get("/console/webhooks"); strings.Contains(again.Body, m[1]) {
				t.Error("the list shows the secret again")
			}
			id := list[0].(map[string]any)["id"].(string)
			if p := post("/console/webhooks/"+id+"/delete", url.Values{}); p.Status != http.StatusSeeOther {
				t.Errorf("delete = %d", p.Status)
			}
			s.Must(404, "GET", "/v1/webhook_endpoints/"+id, key, nil)
		})
		t.Run("a key's secret is shown once and works; revoking the session's own key logs out", func(t *testing.T) {
			p := post("/console/api_keys", url.Values{"name": {"ops"}, "kind": {"admin"}})
			m := secretRE.FindStringSubmatch(p.Body)
			if p.Status != http.StatusCreated || m == nil || !strings.HasPrefix(m[1], "tly_adm_") {
				t.Fatalf("create key = %d", p.Status)
			}
			if p.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("the page with the secret may be cached: %q", p.Header.Get("Cache-Control"))
			}
			s.Must(200, "GET", "/v1/meters", m[1], nil)
			b2 := newBrowser(t, s)
			tok2 := b2.login(m[1])
			var id string
			for _, k := range s.Must(200, "GET", "/v1/api_keys", key, nil).JSON()["data"].([]any) {
				if k.(map[string]any)["name"] == "ops" {
					id = k.(map[string]any)["id"].(string)
				}
			}
			if p := b2.post("/console/api_keys/"+id+"/revoke", url.Values{"csrf_token": {tok2}}); p.Status != http.StatusSeeOther {
				t.Fatalf("revoke = %d", p.Status)
			}
			if p := b2.get("/console/"); p.Status != http.StatusSeeOther {
				t.Errorf("after revoking its own key the session answered %d", p.Status)
			}
			s.Must(401, "GET", "/v1/meters", m[1], nil)
			if p := b.get("/console/api_keys"); p.Status != 200 || !strings.Contains(p.Body, `badge revoked`) {
				t.Errorf("the first session's key list = %d", p.Status)
			}
		})
	})
}
