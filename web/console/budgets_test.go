package console_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/tallyhq/tally/app/apptest"
)

func TestBudgetsAreCreatedAndDeletedThroughTheConsole(t *testing.T) {
	apptest.Each(t, t0, func(t *testing.T, s *apptest.Server) {
		key := tenant(s, "acme")
		s.Must(201, "POST", "/v1/meters", key, map[string]any{"key": "calls", "event_name": "call", "aggregation": map[string]any{"type": "count"}})
		custID := s.Must(201, "POST", "/v1/customers", key, map[string]any{"external_id": "c-1", "currency": "USD"}).JSON()["id"].(string)
		otherID := s.Must(201, "POST", "/v1/customers", key, map[string]any{"external_id": "c-2", "currency": "USD"}).JSON()["id"].(string)
		b := newBrowser(t, s)
		tok := b.login(key)
		post := func(path string, v url.Values) page {
			t.Helper()
			v.Set("csrf_token", tok)
			return b.post(path, v)
		}
		list := func(id string) []any {
			return s.Must(200, "GET", "/v1/customers/"+id+"/budgets", key, nil).JSON()["data"].([]any)
		}
		for _, tc := range []struct {
			name  string
			form  url.Values
			shown string
		}{
			{"a spend budget without an amount names the field", url.Values{"kind": {"spend"}}, `<code>amount</code>`},
			{"an amount that is not a number names the field", url.Values{"kind": {"spend"}, "amount": {"lots"}}, `<span class="error" id="e-amount">must be a number`},
			{"a usage budget of an unknown meter names the meter", url.Values{"kind": {"usage"}, "meter": {"nope"}, "quantity": {"10"}}, `unknown meter &#34;nope&#34;`},
			{"a threshold that is not a percentage names it", url.Values{"kind": {"spend"}, "amount": {"10"}, "thresholds": {"50, lots"}}, `<code>thresholds[1]</code> must be a whole percentage`},
		} {
			t.Run(tc.name+", and nothing is stored", func(t *testing.T) {
				p := post("/console/customers/"+custID+"/budgets", tc.form)
				if p.Status != http.StatusUnprocessableEntity {
					t.Fatalf("status %d: %.600s", p.Status, p.Body)
				}
				contains(t, p, "Nothing was saved.", tc.shown)
				if n := len(list(custID)); n != 0 {
					t.Errorf("%d budgets stored", n)
				}
			})
		}
		created := post("/console/customers/"+custID+"/budgets", url.Values{"kind": {"spend"}, "amount": {"40"}, "thresholds": {"25, 80%"}})
		if created.Status != http.StatusSeeOther {
			t.Fatalf("create spend budget = %d: %.600s", created.Status, created.Body)
		}
		if p := post("/console/customers/"+custID+"/budgets", url.Values{"kind": {"usage"}, "meter": {"calls"}, "quantity": {"1,000"}}); p.Status != http.StatusSeeOther {
			t.Fatalf("create usage budget = %d: %.600s", p.Status, p.Body)
		}
		got := list(custID)
		if len(got) != 2 {
			t.Fatalf("budgets %v, want the two created", got)
		}
		spend, usage := got[0].(map[string]any), got[1].(map[string]any)
		if spend["amount"] != "40" || fmt.Sprint(spend["thresholds"]) != "[25 80]" ||
			usage["meter"] != "calls" || usage["quantity"] != "1000" {
			t.Errorf("stored %v and %v; want $40 at 25 and 80 %%, and 1,000 calls", spend, usage)
		}
		contains(t, b.get(created.Header.Get("Location")), "The budget was created.", "of <code>calls</code>", `action="/console/budgets/`+spend["id"].(string)+`/delete"`)

		t.Run("a budget named with another customer is not found, and stays", func(t *testing.T) {
			p := post("/console/budgets/"+spend["id"].(string)+"/delete", url.Values{"customer": {otherID}})
			if p.Status != http.StatusNotFound {
				t.Errorf("status %d", p.Status)
			}
			if n := len(list(custID)); n != 2 {
				t.Errorf("%d budgets left", n)
			}
		})
		if p := post("/console/budgets/"+spend["id"].(string)+"/delete", url.Values{"customer": {custID}}); p.Status != http.StatusSeeOther {
			t.Fatalf("delete = %d: %.600s", p.Status, p.Body)
		}
		if left := list(custID); len(left) != 1 || left[0].(map[string]any)["id"] != usage["id"] {
			t.Errorf("left %v, want the usage budget only", left)
		}
	})
}
