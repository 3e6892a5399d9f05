package api_test

import (
	"testing"

	"github.com/tallyhq/tally/app/apptest"
)

// Invalid UTF-8 and lone surrogate escapes are refused with the field named,
// never rewritten to U+FFFD (which made distinct event ids collide).
func TestTextThatIsNotUnicodeIsRefusedNotRewritten(t *testing.T) {
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "utf8")
		f.countMeter("calls", "api.call")
		f.customer("acme", "USD")
		ts := `"2026-03-10T11:00:00Z"`
		ev := func(id string) string {
			return `{"id":` + id + `,"event_name":"api.call","customer":"acme","timestamp":` + ts + `}`
		}
		t.Run("a batch rejects each bad id by index and keeps the good ones", func(t *testing.T) {
			body := `{"events":[` + ev("\"a\xff\"") + `,` + ev("\"a\xfe\"") + `,` + ev(`"\ud800x"`) + `,` + ev(`"\udc00x"`) + `,` +
				ev(`"a\u00e9"`) + `,` + ev(`"\ud83d\ude00"`) + `]}`
			var res ingestResult
			must(t, s, 202, "POST", "/v1/events/batch", f.key, body).Decode(t, &res)
			if res.Accepted != 2 || len(res.Rejected) != 4 {
				t.Fatalf("accepted %d, rejected %d, want 2 and 4: %+v", res.Accepted, len(res.Rejected), res)
			}
			for i, r := range res.Rejected {
				if r.Index != i || len(r.Error.Details) == 0 || r.Error.Details[0].Field != "id" {
					t.Errorf("rejection %d = %+v, want index %d naming field id", i, r, i)
				}
			}
		})
		t.Run("one event with a lone surrogate is a 422 naming id", func(t *testing.T) {
			wantError(t, call(t, s, "POST", "/v1/events", f.key, ev(`"\udfffz"`)), 422, "", "id")
		})
		t.Run("a customer name with invalid bytes is a 422 naming name, and nothing is stored", func(t *testing.T) {
			wantError(t, call(t, s, "POST", "/v1/customers", f.key, "{\"external_id\":\"bob\",\"currency\":\"USD\",\"name\":\"B\xc3\"}"), 422, "", "name")
			if r := call(t, s, "GET", "/v1/customers?limit=500", f.key, nil); len(r.JSON(t)["data"].([]any)) != 1 {
				t.Errorf("a customer was stored: %s", r.Body)
			}
		})
	})
}
