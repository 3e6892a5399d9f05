package scenario

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
)

// SharedDir finds the shared scenarios: $TALLY_SCENARIOS_DIR, or
// ../shared/spec/scenarios beside the repository that holds the working
// directory.
func SharedDir() (string, error) {
	if d := os.Getenv("TALLY_SCENARIOS_DIR"); d != "" {
		return d, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "spec", "scenarios"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Files lists the scenario files (*.json) of a folder, sorted.
func Files(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	sort.Strings(files)
	return files, err
}
