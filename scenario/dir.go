package scenario

import (
	"path/filepath"
	"sort"
)

// Files lists the scenario files (*.json) of a folder, sorted. The shared
// scenarios are in the repository's spec/scenarios (see package spec).
func Files(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	sort.Strings(files)
	return files, err
}
