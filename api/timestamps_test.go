package api_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/tallyhq/tally/app/apptest"
)

// TestTimestampsOutsideTheWindow sends, to every request that takes a
// timestamp, instants outside [1970-01-01T00:00:00Z, 2200-01-01T00:00:00Z):
// each is a 422 naming the field, nothing is stored, and the tenant's lists
// still read (no poison row).
func TestTimestampsOutsideTheWindow(t *testing.T) {
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		key := s.NewTenant("window")
		s.Must(201, "POST", "/v1/meters", key, `{"key":"calls","event_name":"call","aggregation":{"type":"count"}}`)
		s.Must(201, "POST", "/v1/plans", key, `{"key":"basic","currency":"USD","interval":"month","prices":[
			{"key":"base","type":"fixed","model":"flat","amount":"10.00","cadence":"arrear"}]}`)
		cus := s.Must(201, "POST", "/v1/customers", key, `{"external_id":"acme","currency":"USD"}`).JSON()["id"].(string)
		sub := s.Must(201, "POST", "/v1/subscriptions", key, `{"customer":"acme","plan":"basic","start_at":"2026-01-01T00:00:00Z"}`).JSON()["id"].(string)

		bad := []string{"0001-01-01T00:00:00Z", "1969-12-31T23:59:59.999999999Z", "1970-01-01T00:30:00+01:00", "2200-01-01T00:00:00Z", "9999-12-31T23:59:59Z"}
		type request struct {
			name, method, path, field string
			body                      func(ts string) string // nil: a GET with the timestamp in the query
		}
		q := func(ts string) string { return url.QueryEscape(ts) }
		requests := []request{
			{"an event's timestamp", "POST", "/v1/events", "timestamp", func(ts string) string {
				return fmt.Sprintf(`{"id":"e-%s","event_name":"call","customer":"acme","timestamp":%q}`, ts, ts)
			}},
			{"a subscription's start_at", "POST", "/v1/subscriptions", "start_at", func(ts string) string {
				return fmt.Sprintf(`{"customer":"acme","plan":"basic","start_at":%q}`, ts)
			}},
			{"a cancel's at", "POST", "/v1/subscriptions/" + sub + "/cancel", "at", func(ts string) string {
				return fmt.Sprintf(`{"at":%q}`, ts)
			}},
			{"an invoice run's as_of", "POST", "/v1/invoice_runs", "as_of", func(ts string) string {
				return fmt.Sprintf(`{"as_of":%q,"wait":true}`, ts)
			}},
			{"a credit grant's expires_at", "POST", "/v1/customers/" + cus + "/credit_grants", "expires_at", func(ts string) string {
				return fmt.Sprintf(`{"amount":"10.00","expires_at":%q}`, ts)
			}},
			{"the proposed invoice's ?at", "GET", "/v1/subscriptions/" + sub + "/proposed_invoice?at=%s", "at", nil},
			{"the customer's proposed invoices' ?at", "GET", "/v1/customers/" + cus + "/proposed_invoices?at=%s", "at", nil},
			{"the event list's ?from", "GET", "/v1/events?from=%s", "from", nil},
			{"the event list's ?to", "GET", "/v1/events?to=%s", "to", nil},
			{"the usage series' ?from", "GET", "/v1/customers/" + cus + "/usage?meter=calls&to=2026-03-01T00:00:00Z&from=%s", "from", nil},
			{"the usage series' ?to", "GET", "/v1/customers/" + cus + "/usage?meter=calls&to=%s", "to", nil},
		}
		for _, r := range requests {
			for _, ts := range bad {
				t.Run(r.name+" of "+ts+" is a 422 naming "+r.field, func(t *testing.T) {
					var res apptest.Response
					if r.body == nil {
						res = s.Do(r.method, fmt.Sprintf(r.path, q(ts)), key, nil)
					} else {
						res = s.Do(r.method, r.path, key, r.body(ts))
					}
					if res.Status != 422 {
						t.Fatalf("status %d, want 422: %s", res.Status, res.Body)
					}
					e := res.JSON()["error"].(map[string]any)
					details, _ := e["details"].([]any)
					if len(details) != 1 || details[0].(map[string]any)["field"] != r.field ||
						!strings.Contains(details[0].(map[string]any)["message"].(string), "2200-01-01T00:00:00Z") {
						t.Errorf("error %v, want one detail naming %s and the window", e, r.field)
					}
				})
			}
		}

		t.Run("a batch rejects an event outside the window by index, naming its timestamp", func(t *testing.T) {
			res := s.Must(202, "POST", "/v1/events/batch", key, `{"events":[
				{"id":"ok-1","event_name":"call","customer":"acme","timestamp":"2026-03-01T00:00:00Z"},
				{"id":"bad-1","event_name":"call","customer":"acme","timestamp":"9999-01-01T00:00:00Z"}]}`).JSON()
			rej := res["rejected"].([]any)
			if res["accepted"].(float64) != 1 || len(rej) != 1 || rej[0].(map[string]any)["index"].(float64) != 1 {
				t.Fatalf("batch answer %v, want 1 accepted and event 1 rejected", res)
			}
			d := rej[0].(map[string]any)["error"].(map[string]any)["details"].([]any)
			if len(d) != 1 || d[0].(map[string]any)["field"] != "timestamp" {
				t.Errorf("rejection %v does not name timestamp", rej[0])
			}
		})

		t.Run("the edges of the window are accepted", func(t *testing.T) {
			s.Must(201, "POST", "/v1/subscriptions", key, `{"customer":"acme","plan":"basic","start_at":"1970-01-01T00:00:00Z"}`)
			s.Must(201, "POST", "/v1/subscriptions", key, `{"customer":"acme","plan":"basic","start_at":"2199-12-31T23:59:59.999999999Z","trial_days":730}`)
			s.Must(200, "GET", "/v1/events?from=1970-01-01T00:00:00Z&to=2199-12-31T23:59:59Z", key, nil)
		})

		t.Run("nothing refused was stored and every list of the tenant still reads", func(t *testing.T) {
			subs := s.Must(200, "GET", "/v1/subscriptions?limit=500", key, nil).JSON()["data"].([]any)
			if len(subs) != 3 {
				t.Errorf("%d subscriptions, want the first and the two at the edges", len(subs))
			}
			events := s.Must(200, "GET", "/v1/events?limit=500", key, nil).JSON()["data"].([]any)
			if len(events) != 1 {
				t.Errorf("%d events stored, want the one accepted", len(events))
			}
			s.Must(200, "GET", "/v1/invoices", key, nil)
			s.Must(200, "GET", "/v1/customers/"+cus+"/credit_grants", key, nil)
		})

		t.Run("an invoice run without as_of, or with a null one, is as of now", func(t *testing.T) {
			run := s.Must(201, "POST", "/v1/invoice_runs", key, `{"wait":true}`).JSON()
			if run["as_of"] != "2026-03-10T12:00:00Z" {
				t.Errorf("as_of %v, want now", run["as_of"])
			}
			s.Must(201, "POST", "/v1/invoice_runs", key, `{"as_of":null,"wait":true}`)
		})
	})
}
