package api_test

import (
	"testing"

	"github.com/tallyhq/tally/app/apptest"
)

func TestRoutingAnswersWhatExistsAndNothingElse(t *testing.T) {
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "routes")
		id := f.countMeter("calls", "api.call")
		tests := []struct {
			name, method, path string
			want               int
		}{
			{"a sub-path under an id is not that id", "GET", "/v1/meters/" + id + "/b/c", 404},
			{"a path of several segments is not one meter", "GET", "/v1/meters/a/b/c", 404},
			{"the meter itself is found", "GET", "/v1/meters/" + id, 200},
			{"HEAD works where GET does", "HEAD", "/v1/meters/" + id, 200},
			{"HEAD of the health check answers", "HEAD", "/healthz", 200},
			{"HEAD of readiness answers", "HEAD", "/readyz", 200},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if r := call(t, s, tt.method, tt.path, f.key, nil); r.Status != tt.want {
					t.Errorf("%s %s = %d, want %d: %s", tt.method, tt.path, r.Status, tt.want, r.Body)
				}
			})
		}
	})
}
