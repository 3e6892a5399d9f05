package api_test

import (
	"testing"

	"github.com/tallyhq/tally/app/apptest"
)

// Trials end at 00:00 in the customer's zone on the local date trial_days
// after the start's local date (pricing.md, Trials), whatever the zone's
// daylight saving does that night; the first paid period starts there.
func TestTrialsEndAtLocalMidnightInTheCustomersZone(t *testing.T) {
	tests := []struct {
		name, zone, start, wantEnd, wantPeriodEnd string
	}{
		{"a Berlin trial over the spring change ends at 00:00 CEST",
			"Europe/Berlin", "2026-03-27T11:00:00Z", "2026-03-29T22:00:00Z", "2026-03-31T22:00:00Z"},
		{"a New York trial over the autumn change ends at 00:00 EST",
			"America/New_York", "2026-10-30T16:00:00Z", "2026-11-02T05:00:00Z", "2026-12-01T05:00:00Z"},
		{"a Santiago trial ending on the day whose midnight is skipped ends at 01:00, when that day begins",
			"America/Santiago", "2026-09-03T16:00:00Z", "2026-09-06T04:00:00Z", "2026-10-01T03:00:00Z"},
		{"a Lord Howe trial over its half-hour change ends at 00:00 +10:30",
			"Australia/Lord_Howe", "2026-04-03T01:00:00Z", "2026-04-05T13:30:00Z", "2026-04-30T13:30:00Z"},
	}
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "trials")
		f.flatPlan("base", "USD")
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := f.with(t)
				ext := "cust-" + string(rune('a'+i))
				f.create("/v1/customers", obj{"external_id": ext, "currency": "USD", "timezone": tt.zone})
				sub := f.create("/v1/subscriptions", obj{"customer": ext, "plan": "base", "start_at": tt.start, "trial_days": 3})
				if got := sub["trial_end"]; got != tt.wantEnd {
					t.Errorf("trial_end = %v, want %s", got, tt.wantEnd)
				}
				// The first paid period starts at the trial's end.
				inv := must(t, s, 200, "GET", "/v1/subscriptions/"+sub["id"].(string)+"/proposed_invoice"+q("at", tt.wantEnd), f.key, nil).JSON(t)
				if inv["period_start"] != tt.wantEnd || inv["period_end"] != tt.wantPeriodEnd {
					t.Errorf("first paid period [%v, %v), want [%s, %s)", inv["period_start"], inv["period_end"], tt.wantEnd, tt.wantPeriodEnd)
				}
			})
		}
	})
}
