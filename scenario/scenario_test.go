package scenario_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/app/apptest"
	"github.com/tallyhq/tally/scenario"
	"github.com/tallyhq/tally/spec"
)

// TestSharedScenarios plays every file of spec/scenarios (the in-tree copy
// of the shared scenarios), and ours in testdata/, on a fresh server of each
// store; every expectation must hold.
func TestSharedScenarios(t *testing.T) {
	dir, err := spec.ScenariosDir()
	if err != nil {
		t.Fatal(err)
	}
	files, err := scenario.Files(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no scenario files in %s", dir)
	}
	// Our own cases, in the same form, worked out by hand in their "about".
	own, err := scenario.Files("testdata")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, own...)
	apptest.Each(t, time.Now(), func(t *testing.T, s *apptest.Server) {
		for _, path := range files {
			f, err := scenario.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			t.Run(strings.TrimSuffix(filepath.Base(path), ".json"), func(t *testing.T) {
				rep, err := scenario.Run(context.Background(), s.URL, apptest.RootKey, f)
				if err != nil {
					t.Fatalf("could not play %s: %v", f.Name, err)
				}
				for _, c := range rep.Checks {
					if !c.OK {
						t.Errorf("%s: %s", c.Name, c.Detail)
					}
				}
				if len(rep.Checks) == 0 {
					t.Error("the scenario checked nothing")
				}
			})
		}
	})
}

func TestGeneratedTimestampsRoundDownToTheMicrosecond(t *testing.T) {
	f := scenario.File{Generate: []scenario.Generate{{Count: 3, IDPrefix: "g-",
		From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 1, 1, 0, 0, 0, 1000, time.UTC),
		Event: []byte(`{"event_name":"e","customer":"c"}`)}}}
	evs, err := scenario.Expand(f)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`"2026-01-01T00:00:00Z"`, `"2026-01-01T00:00:00Z"`, `"2026-01-01T00:00:00Z"`}
	// from + i×1µs/3 rounds down to 0 for i = 0, 1, 2.
	for i, e := range evs {
		if !strings.Contains(string(e), want[i]) || !strings.Contains(string(e), `"id":"g-`) {
			t.Errorf("event %d = %s, want timestamp %s", i, e, want[i])
		}
	}
	f.Generate[0].To = time.Date(2026, 1, 1, 0, 0, 3, 0, time.UTC)
	evs, _ = scenario.Expand(f)
	if !strings.Contains(string(evs[2]), `"2026-01-01T00:00:02Z"`) {
		t.Errorf("third event of 3 over 3 s = %s, want 00:00:02", evs[2])
	}
}
