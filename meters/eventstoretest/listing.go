package eventstoretest

import (
	"fmt"
	"sort"
	"testing"

	"github.com/tallyhq/tally/meters"
)

func testListing(t *testing.T, h *harness) {
	// 30 events of two customers and two names, several on one instant.
	var sent []meters.NewEvent
	for i := range 30 {
		cust, name := []string{"ann", "bob"}[i%2], []string{"call", "put"}[i%3%2]
		ts := fmt.Sprintf("2026-05-04T10:%02d:00.000001Z", i/3) // three per instant
		sent = append(sent, ev(fmt.Sprintf("list-%02d", 29-i), cust, name, ts, fmt.Sprintf(`{"i": %d}`, i)))
	}
	h.write(t, sent...)
	newestFirst := func(keep func(meters.NewEvent) bool) []meters.NewEvent {
		var out []meters.NewEvent
		for _, e := range sent {
			if keep(e) {
				out = append(out, e)
			}
		}
		sort.SliceStable(out, func(i, j int) bool {
			if !out[i].Timestamp.Equal(out[j].Timestamp) {
				return out[i].Timestamp.After(out[j].Timestamp)
			}
			return out[i].ID > out[j].ID
		})
		return out
	}
	from, to := at("2026-05-04T10:02:00Z"), at("2026-05-04T10:05:00.000001Z")
	cases := []struct {
		name string
		q    meters.EventQuery
		keep func(meters.NewEvent) bool
	}{
		{"every event is listed once, newest first, across pages", meters.EventQuery{}, func(meters.NewEvent) bool { return true }},
		{"a customer's events only", meters.EventQuery{Customer: "ann"}, func(e meters.NewEvent) bool { return e.Customer == "ann" }},
		{"an event name's events only", meters.EventQuery{EventName: "put"}, func(e meters.NewEvent) bool { return e.EventName == "put" }},
		{"from is inclusive and to exclusive, to the microsecond", meters.EventQuery{From: &from, To: &to},
			func(e meters.NewEvent) bool { return !e.Timestamp.Before(from) && e.Timestamp.Before(to) }},
	}
	for _, c := range cases {
		for _, limit := range []int{1, 4, 100} {
			t.Run(fmt.Sprintf("%s, %d a page", c.name, limit), func(t *testing.T) {
				checkStored(t, h.all(t, h.env.Tenant, c.q, limit), newestFirst(c.keep))
			})
		}
	}
	t.Run("another tenant lists none of them", func(t *testing.T) {
		if got := h.all(t, h.env.OtherTenant, meters.EventQuery{}, 10); len(got) != 0 {
			t.Errorf("listed %v", got)
		}
	})
}
