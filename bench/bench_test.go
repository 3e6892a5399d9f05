package bench_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/tallyhq/tally/bench"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
)

// TestShortBenches runs the short mode of every bench on both stores (the
// Postgres half skips outside CI without a server, and fails in CI): each
// must pass its exactness checks (stored == sent, duplicates change
// nothing, previews and runs count everything), judge no target, and print
// a well-formed table and JSON.
func TestShortBenches(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			url := storetest.URL(t, d)
			var reports []bench.Report
			for _, name := range bench.Benches {
				r, err := bench.Run(context.Background(), name, bench.Options{DatabaseURL: url, Short: true})
				if err != nil {
					t.Fatalf("%s: %v\n%+v", name, err, r)
				}
				checkReport(t, d, name, r)
				reports = append(reports, r)
			}
			var js bytes.Buffer
			if err := bench.WriteJSON(&js, reports); err != nil {
				t.Fatal(err)
			}
			var back []bench.Report
			if err := json.Unmarshal(js.Bytes(), &back); err != nil || len(back) != len(bench.Benches) {
				t.Fatalf("the JSON does not read back as %d reports (%v):\n%s", len(bench.Benches), err, js.String())
			}
			var tab bytes.Buffer
			if err := bench.WriteTable(&tab, reports); err != nil {
				t.Fatal(err)
			}
			for _, name := range bench.Benches {
				if !strings.Contains(tab.String(), "bench "+name+" on "+string(d)+", short") {
					t.Errorf("the table has no header of bench %s:\n%s", name, tab.String())
				}
			}
			if strings.Contains(tab.String(), "FAIL") {
				t.Errorf("the table reports a failed check:\n%s", tab.String())
			}
			t.Log("\n" + tab.String())
		})
	}
}

// checkReport checks the shape of one short report.
func checkReport(t *testing.T, d store.Dialect, name string, r bench.Report) {
	t.Helper()
	if r.Bench != name || r.Store != string(d) || !r.Short {
		t.Errorf("%s: report names bench %q on %q (short %v)", name, r.Bench, r.Store, r.Short)
	}
	if len(r.Checks) == 0 {
		t.Errorf("%s: no exactness check ran", name)
	}
	if len(r.Figures) == 0 {
		t.Errorf("%s: no figure", name)
	}
	for _, f := range r.Figures {
		if f.Met != nil {
			t.Errorf("%s: short mode judged %q against its target", name, f.Name)
		}
		if f.Value < 0 || f.Name == "" {
			t.Errorf("%s: malformed figure %+v", name, f)
		}
	}
	want := map[string][]string{
		"ingest":  {"HTTP batch ingest"},
		"preview": {"p99 growth"},
		"balance": {"credit balance p99"},
		"run":     {"invoice run, 20 subscriptions", "invoice run, 60 subscriptions"},
	}[name]
	if d == store.Postgres && name == "ingest" {
		want = append(want, "ingest / shaped COPY", "ingest / bare COPY")
	}
	for _, w := range want {
		found := false
		for _, f := range r.Figures {
			if strings.HasPrefix(f.Name, w) && f.Value > 0 {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no positive figure %q in %+v", name, w, r.Figures)
		}
	}
}
