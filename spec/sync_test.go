package spec_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/tallyhq/tally/spec"
)

const howToUpdate = "update the in-tree copy from the repository root with: cp -r ../shared/spec/. spec/"

// files reads every file under dir by its slash-separated relative path,
// leaving out Go files (this package's own code, not part of the copy).
func files(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || strings.HasSuffix(d.Name(), ".go") {
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		out[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		t.Fatalf("read %s: %v", dir, err)
	}
	return out
}

// TestInTreeSpecMatchesShared fails if spec/ and ../shared/spec differ in
// any file, either way; without ../shared/spec (a plain clone) it passes.
func TestInTreeSpecMatchesShared(t *testing.T) {
	shared, err := spec.SharedDir()
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(shared); err != nil || !st.IsDir() {
		t.Logf("no shared spec at %s: nothing to compare the in-tree copy with", shared)
		return
	}
	local, err := spec.Dir()
	if err != nil {
		t.Fatal(err)
	}
	want, have := files(t, shared), files(t, local)
	var names []string
	for name := range want {
		names = append(names, name)
	}
	for name := range have {
		if _, ok := want[name]; !ok {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		w, inShared := want[name]
		h, inTree := have[name]
		switch {
		case !inTree:
			t.Errorf("spec/%s is missing (it is in ../shared/spec); %s", name, howToUpdate)
		case !inShared:
			t.Errorf("spec/%s is not in ../shared/spec: remove it (rm spec/%s) or add it to ../shared/spec first", name, name)
		case !bytes.Equal(w, h):
			t.Errorf("spec/%s differs from ../shared/spec/%s; %s", name, name, howToUpdate)
		}
	}
}

func TestScenariosDirHoldsTheScenarioFiles(t *testing.T) {
	dir, err := spec.ScenariosDir()
	if err != nil {
		t.Fatal(err)
	}
	got, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(got) == 0 {
		t.Fatalf("no scenario files in %s (%v)", dir, err)
	}
}
