package spec

import (
	"errors"
	"os"
	"path/filepath"
)

// Root returns the repository root: the nearest folder at or above the
// working directory that holds go.mod. Tests run in their package's folder,
// so from any test it is this repository.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod at or above the working directory")
		}
		dir = parent
	}
}

// Dir returns the in-tree spec folder, <root>/spec.
func Dir() (string, error) {
	root, err := Root()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, "spec"), nil
}

// ScenariosDir returns the in-tree scenario files' folder, <root>/spec/scenarios.
func ScenariosDir() (string, error) {
	dir, err := Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "scenarios"), nil
}

// SharedDir returns where the shared contract is expected beside the
// repository, <root>/../shared/spec. The folder may not exist (a plain
// clone): callers check.
func SharedDir() (string, error) {
	root, err := Root()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, "..", "shared", "spec"), nil
}
