package api_test

import (
	"testing"
	"time"

	"github.com/tallyhq/tally/app"
	"github.com/tallyhq/tally/app/apptest"
	"github.com/tallyhq/tally/store"
)

func TestTheTestClockIsEveryPartOfATenantsNow(t *testing.T) {
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "clocked")
		other := newFixture(t, s, "real time")
		f.countMeter("calls", "api.call")
		f.flatPlan("base", "USD")
		f.customer("acme", "USD")

		t.Run("without a clock the tenant reads the server's time", func(t *testing.T) {
			got := must(t, s, 200, "GET", "/v1/test_clock", f.key, nil).JSON(t)
			if got["set"] != false || got["now"] != "2026-03-10T12:00:00Z" {
				t.Errorf("GET /v1/test_clock = %v", got)
			}
		})
		t.Run("setting it moves the tenant's now, and only that tenant's", func(t *testing.T) {
			must(t, s, 200, "PUT", "/v1/test_clock", f.key, obj{"now": "2027-01-15T08:00:00Z"})
			// A subscription made now starts at the clock.
			sub := f.create("/v1/subscriptions", obj{"customer": "acme", "plan": "base"})
			if sub["start_at"] != "2027-01-15T08:00:00Z" {
				t.Errorf("start_at = %v, want the test clock's now", sub["start_at"])
			}
			// Ingestion's future-skew check reads it: an event a year after the
			// server's time is accepted, one 10 minutes past the clock is not.
			res := f.batch(event("e1", "api.call", "acme", mustTime(t, "2027-01-15T07:00:00Z"), nil),
				event("e2", "api.call", "acme", mustTime(t, "2027-01-15T08:10:00Z"), nil))
			if res.Accepted != 1 || len(res.Rejected) != 1 || res.Rejected[0].Index != 1 {
				t.Errorf("ingest = %+v, want e1 accepted and e2 rejected as in the future", res)
			}
			// The proposed invoice's default at is the clock.
			inv := must(t, s, 200, "GET", "/v1/subscriptions/"+sub["id"].(string)+"/proposed_invoice", f.key, nil).JSON(t)
			if inv["period_start"] != "2027-01-15T08:00:00Z" {
				t.Errorf("proposed invoice period = %v, want the one at the clock", inv["period_start"])
			}
			if got := must(t, s, 200, "GET", "/v1/test_clock", other.key, nil).JSON(t); got["set"] != false {
				t.Errorf("another tenant sees a clock: %v", got)
			}
		})
		t.Run("it only moves forward", func(t *testing.T) {
			wantError(t, call(t, s, "PUT", "/v1/test_clock", f.key, obj{"now": "2027-01-15T07:59:59Z"}), 409, "clock_backwards")
			must(t, s, 200, "PUT", "/v1/test_clock", f.key, obj{"now": "2027-01-15T08:00:00Z"})
			wantError(t, call(t, s, "PUT", "/v1/test_clock", f.key, obj{"now": "yesterday"}), 422, "", "now")
			wantError(t, call(t, s, "PUT", "/v1/test_clock", f.key, obj{"now": "2300-01-01T00:00:00Z"}), 422, "", "now")
		})
		t.Run("delete returns the tenant to real time", func(t *testing.T) {
			must(t, s, 200, "DELETE", "/v1/test_clock", f.key, nil)
			if got := must(t, s, 200, "GET", "/v1/test_clock", f.key, nil).JSON(t); got["set"] != false || got["now"] != "2026-03-10T12:00:00Z" {
				t.Errorf("after DELETE: %v", got)
			}
		})
	})
}

func TestTestClockRoutesAre404WhenOff(t *testing.T) {
	s := apptest.StartWith(t, store.SQLite, now, func(c *app.Config) { c.TestClock = false })
	f := newFixture(t, s, "prod")
	for _, m := range []string{"GET", "PUT", "DELETE"} {
		if r := call(t, s, m, "/v1/test_clock", f.key, obj{"now": "2027-01-01T00:00:00Z"}); r.Status != 404 {
			t.Errorf("%s /v1/test_clock = %d, want 404", m, r.Status)
		}
	}
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
