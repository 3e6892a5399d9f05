package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/app/apptest"
)

// TestPagination walks every list page by page: each row comes exactly once,
// the last page has next_cursor null, and limits out of bounds are 422.
func TestPagination(t *testing.T) {
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "pages")
		var meters, customers, plans []string
		for i := 0; i < 7; i++ {
			meters = append(meters, f.countMeter(fmt.Sprintf("m%d", i), "api.call"))
		}
		for i := 0; i < 6; i++ {
			customers = append(customers, f.customer(fmt.Sprintf("c%d", i), "USD"))
		}
		for i := 0; i < 5; i++ {
			plans = append(plans, f.flatPlan(fmt.Sprintf("p%d", i), "USD"))
		}
		// 25 events, several sharing a timestamp, so that the cursor must
		// break ties.
		var events []any
		var eventIDs []string
		for i := 0; i < 25; i++ {
			id := fmt.Sprintf("e-%02d", i)
			eventIDs = append(eventIDs, id)
			events = append(events, event(id, "api.call", "acme", day(9, 0).Add(time.Duration(i/4)*time.Minute), nil))
		}
		f.batch(events...)
		// Another tenant's rows must not leak into any page.
		other := newFixture(t, s, "other")
		other.countMeter("m0", "api.call")
		other.customer("c0", "USD")
		other.batch(event("e-00", "api.call", "acme", day(9, 0), nil))

		lists := []struct {
			name  string
			path  string
			limit int
			want  []string
			pages int
		}{
			{"meters in pages of 3 end on a short page", "/v1/meters", 3, meters, 3},
			{"customers in pages of 3 end on a full page", "/v1/customers", 3, customers, 2},
			{"customers in pages of 1", "/v1/customers", 1, customers, 6},
			{"plans in one page of the maximum size", "/v1/plans", 500, plans, 1},
			{"events in pages of 10", "/v1/events", 10, eventIDs, 3},
			{"events in pages of 4, the size of a timestamp tie", "/v1/events", 4, eventIDs, 7},
			{"events in pages of 3, cutting ties", "/v1/events", 3, eventIDs, 9},
		}
		for _, c := range lists {
			t.Run(c.name, func(t *testing.T) {
				rows, pages := all[map[string]any](t, s, f.key, c.path, c.limit)
				got := idsOf(rows)
				seen := map[string]int{}
				for _, id := range got {
					seen[id]++
				}
				for _, id := range c.want {
					if seen[id] != 1 {
						t.Errorf("%s seen %d times", id, seen[id])
					}
				}
				if len(got) != len(c.want) {
					t.Errorf("%d rows listed, want %d", len(got), len(c.want))
				}
				if pages != c.pages {
					t.Errorf("%d pages, want %d", pages, c.pages)
				}
			})
		}
		t.Run("the default page holds up to 50 rows", func(t *testing.T) {
			var pg page[map[string]any]
			must(t, s, 200, "GET", "/v1/events", f.key, nil).Decode(t, &pg)
			if len(pg.Data) != 25 || pg.NextCursor != nil {
				t.Errorf("default page: %d rows, next_cursor %v; want 25 and null", len(pg.Data), pg.NextCursor)
			}
		})
		t.Run("a full page that is not the last has a next_cursor", func(t *testing.T) {
			r := must(t, s, 200, "GET", "/v1/meters?limit=7", f.key, nil)
			if !strings.Contains(string(r.Body), `"next_cursor":null`) {
				t.Errorf("a page holding the last row must say next_cursor null: %s", r.Body)
			}
			r = must(t, s, 200, "GET", "/v1/meters?limit=6", f.key, nil)
			var pg page[map[string]any]
			r.Decode(t, &pg)
			if pg.NextCursor == nil {
				t.Errorf("6 of 7 meters and no next_cursor")
			}
		})
		for _, path := range []string{"/v1/meters", "/v1/plans", "/v1/customers", "/v1/subscriptions", "/v1/events", "/v1/api_keys"} {
			t.Run("a limit above 500 on "+path+" is 422", func(t *testing.T) {
				wantError(t, call(t, s, "GET", path+"?limit=501", f.key, nil), 422, "validation_failed", "limit")
				must(t, s, 200, "GET", path+"?limit=500", f.key, nil)
			})
		}
	})
}
