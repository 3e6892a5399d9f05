package meters

import (
	"testing"
	"time"
)

func TestCoverUsesTheLargestWholeBucketsAndRawEventsOnlyAtTheEdges(t *testing.T) {
	at := func(s string) int64 {
		x, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return x.UnixMicro()
	}
	cases := []struct {
		name       string
		start, end string
		want       []segment
	}{
		{"a whole day is 24 hourly buckets", "2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z",
			[]segment{{0, at("2026-03-01T00:00:00Z"), at("2026-03-02T00:00:00Z")}}},
		{"mid-minute ends add minutes, then raw seconds", "2026-03-01T10:20:30Z", "2026-03-01T14:05:10Z",
			[]segment{{-1, at("2026-03-01T10:20:30Z"), at("2026-03-01T10:21:00Z")}, {1, at("2026-03-01T10:21:00Z"), at("2026-03-01T11:00:00Z")},
				{0, at("2026-03-01T11:00:00Z"), at("2026-03-01T14:00:00Z")}, {1, at("2026-03-01T14:00:00Z"), at("2026-03-01T14:05:00Z")},
				{-1, at("2026-03-01T14:05:00Z"), at("2026-03-01T14:05:10Z")}}},
		{"a window inside one hour uses minutes only", "2026-03-01T10:20:00Z", "2026-03-01T10:50:00Z",
			[]segment{{1, at("2026-03-01T10:20:00Z"), at("2026-03-01T10:50:00Z")}}},
		{"a window inside one minute is raw", "2026-03-01T10:20:05Z", "2026-03-01T10:20:55Z",
			[]segment{{-1, at("2026-03-01T10:20:05Z"), at("2026-03-01T10:20:55Z")}}},
		{"an empty window has no segment", "2026-03-01T10:20:05Z", "2026-03-01T10:20:05Z", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := cover(at(c.start), at(c.end), 0)
			if len(got) != len(c.want) {
				t.Fatalf("segments %v, want %v", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("segment %d = %v, want %v", i, got[i], c.want[i])
				}
			}
		})
	}
}
