package arch

import (
	"errors"
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/tallyhq/tally"

// layers is the layer table, lowest first (spec/architecture.md: arrows
// point down). A package may import only packages of lower layers; two
// packages of one layer may not import each other (no sideways imports),
// except that a package may import its own ancestor or descendant path
// (store/storetest → store, an event-store implementation → meters). A
// package not listed takes the layer of its nearest listed ancestor path
// (meters/postgres is in the meters layer); a new top-level package must be
// placed here. Only non-test imports are checked: tests may drive a package
// through higher ones (app/apptest starts a whole server).
var layers = [][]string{
	{"domain", "spec", "scenario"}, // small shared values; the contract and its scenarios (they import nothing of ours)
	{"domain/eventvalue"},          // event values and filters, shared by meters and plans
	{"calendar"},                   // days, dates and billing intervals in a zone: pure
	{"customers/cycle"},            // a subscription's period grid: pure calendar math
	{"store"},                      // opening the database, transactions, the dialect
	{"migrations"},                 // SQL per dialect
	{"store/storetest"},            // test databases of both dialects
	{"plans/rating"},               // the pure rating math
	{"tenants", "idempotency"},     // tenants and keys, on the store only
	{"webhooks"},                   // outbound webhooks: endpoints, outbox, deliveries (on the store only)
	{"meters", "plans"},            // the event store and the catalog, side by side: neither imports the other
	{"customers"},                  // customers, subscriptions, periods
	{"credits"},                    // grants, ledger, balances
	{"budgets"},                    // spend and usage thresholds, reported through webhooks
	{"invoicing"},                  // invoices, runs, lifecycle
	{"invoicing/stripesync"},       // Stripe sync
	{"advisor"},                    // the plan advisor: compares, break-evens, backtests (reads only)
	{"jobs"},                       // the clock: scheduled work (a face)
	{"web/ui"},                     // the page kit the web apps share (formats, never prices)
	{"api", "web"},                 // the faces people and programs use
	{"app"},                        // wiring: the only place that knows all
	{"app/apptest", "demo"},        // a whole server for tests; the demo seeds through app
	{"cmd"},                        // the binary
	{"internal/arch"},              // this test
}

// faces are the packages that translate and schedule; nothing imports a
// face but the wiring and the binary (faceUsers).
var (
	faces     = []string{"jobs", "api", "web"}
	faceUsers = []string{"app", "cmd"}
)

// pending are violations that a change under way removes, with where; the
// test reports them in its log instead of failing, and says when one is gone.
var pending = map[string]string{}

// rankOf returns the layer of a package path relative to the module, and
// false when neither it nor an ancestor is in the table.
func rankOf(rel string) (int, bool) {
	for p := rel; p != "." && p != ""; p = filepath.ToSlash(filepath.Dir(p)) {
		for i, layer := range layers {
			for _, name := range layer {
				if name == p {
					return i, true
				}
			}
		}
	}
	return 0, false
}

func related(a, b string) bool {
	return strings.HasPrefix(a+"/", b+"/") || strings.HasPrefix(b+"/", a+"/")
}

// modulePackages returns every package directory of the module with its
// non-test imports of the module, both as paths relative to the module.
func modulePackages(t *testing.T, root string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor" || name == "node_modules") {
			return filepath.SkipDir
		}
		if path != root {
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir // another module
			}
		}
		pkg, err := build.ImportDir(path, 0)
		var noGo *build.NoGoError
		if errors.As(err, &noGo) {
			return nil
		}
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		var imports []string
		for _, imp := range pkg.Imports {
			if imp == module {
				imports = append(imports, ".")
			} else if strings.HasPrefix(imp, module+"/") {
				imports = append(imports, strings.TrimPrefix(imp, module+"/"))
			}
		}
		out[rel] = imports
		return nil
	})
	if err != nil {
		t.Fatalf("walk the module: %v", err)
	}
	return out
}

// violations lists, sorted, every import of pkgs that the layer table
// forbids, and every package it does not place.
func violations(pkgs map[string][]string) []string {
	var out []string
	for pkg, imports := range pkgs {
		from, ok := rankOf(pkg)
		if !ok {
			out = append(out, pkg+": not in the layer table; place it in internal/arch")
			continue
		}
		for _, imp := range imports {
			to, ok := rankOf(imp)
			switch {
			case !ok:
				out = append(out, pkg+" imports "+imp+", which is not in the layer table")
			case to > from:
				out = append(out, pkg+" imports "+imp+": upward (layer "+layerName(from)+" is below layer "+layerName(to)+")")
			case to == from && !related(pkg, imp):
				out = append(out, pkg+" imports "+imp+": sideways (both in the layer of "+layerName(from)+")")
			case under(imp, faces) && !under(pkg, faceUsers) && !related(pkg, imp) && !sameFace(pkg, imp):
				out = append(out, pkg+" imports "+imp+": a face")
			}
		}
	}
	sort.Strings(out)
	return out
}

// sameFace reports whether pkg and imp are parts of one face (web/console
// uses web/ui): a face's own packages may use each other as the layer
// table allows.
func sameFace(pkg, imp string) bool {
	for _, f := range faces {
		if under(pkg, []string{f}) && under(imp, []string{f}) {
			return true
		}
	}
	return false
}

// under reports whether pkg is one of roots or below one.
func under(pkg string, roots []string) bool {
	for _, r := range roots {
		if pkg == r || strings.HasPrefix(pkg, r+"/") {
			return true
		}
	}
	return false
}

func layerName(i int) string { return strings.Join(layers[i], ", ") }

func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = parent
	}
}

// TestImportsPointDown fails on any import from a lower layer to a higher
// one, or sideways within a layer, among the module's packages.
func TestImportsPointDown(t *testing.T) {
	pkgs := modulePackages(t, moduleRoot(t))
	if len(pkgs) < 10 {
		t.Fatalf("found only %d packages: is the walk wrong?", len(pkgs))
	}
	seen := map[string]bool{}
	for _, v := range violations(pkgs) {
		if why, ok := pending[v]; ok {
			seen[v] = true
			t.Logf("pending: %s (%s)", v, why)
			continue
		}
		t.Error(v)
	}
	for v := range pending {
		if !seen[v] {
			t.Logf("pending violation %q is gone: remove it from pending", v)
		}
	}
}

// TestTheRuleCatchesWhatItMust checks the checker on a made-up module.
func TestTheRuleCatchesWhatItMust(t *testing.T) {
	got := violations(map[string][]string{
		"plans":           {"domain", "calendar", "customers", "meters"}, // upward, sideways
		"invoicing":       {"jobs"},                                      // a face
		"cmd/tally":       {"api", "app"},                                // fine
		"tenants":         {"idempotency"},                               // sideways
		"meters/postgres": {"meters", "store"},                           // an implementation of meters: fine
		"store/storetest": {"store", "migrations"},                       // fine
		"advisorx":        {"plans"},                                     // not placed
	})
	want := []string{
		"advisorx: not in the layer table; place it in internal/arch",
		"invoicing imports jobs: upward (layer invoicing is below layer jobs)",
		"plans imports customers: upward (layer meters, plans is below layer customers)",
		"plans imports meters: sideways (both in the layer of meters, plans)",
		"tenants imports idempotency: sideways (both in the layer of tenants, idempotency)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("violations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
