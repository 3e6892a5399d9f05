package scenario_test

import (
	"encoding/json"
	"testing"

	"github.com/tallyhq/tally/scenario"
)

func TestContains(t *testing.T) {
	for _, c := range []struct {
		name, got, want string
		diffs           int
	}{
		{"extra keys in the reply are fine", `{"a":"1","b":2}`, `{"a":"1"}`, 0},
		{"decimals compare by value", `{"a":"38.00","n":19000}`, `{"a":"38","n":"19000.0"}`, 0},
		{"a missing key is named", `{"a":"1"}`, `{"b":"1"}`, 1},
		{"a different decimal is named", `{"a":"21.72"}`, `{"a":"21.73"}`, 1},
		{"arrays must have as many elements", `{"l":[1,2]}`, `{"l":[1]}`, 1},
		{"array elements compare in order", `{"l":["solo","byok_pro"]}`, `{"l":["byok_pro","solo"]}`, 2},
		{"null must be null", `{"to":{"x":1}}`, `{"to":null}`, 1},
	} {
		var g, w any
		if err := json.Unmarshal([]byte(c.got), &g); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(c.want), &w); err != nil {
			t.Fatal(err)
		}
		if d := scenario.Contains(g, w, "reply"); len(d) != c.diffs {
			t.Errorf("%s: %d differences %q, want %d", c.name, len(d), d, c.diffs)
		}
	}
}
