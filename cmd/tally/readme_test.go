package main

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the README's generated tables")

const readmePath = "../../README.md"

// generated are the README's tables made from the code, between their
// markers.
var generated = []struct {
	name, begin, end string
	table            func() string
}{
	{"commands", "<!-- commands: generated from the cobra tree; go test ./cmd/tally -run TestREADME -update -->\n", "<!-- end of commands -->",
		func() string { return commandTable(newRoot(new(bytes.Buffer), new(bytes.Buffer))) }},
	{"settings", "<!-- settings: generated from app.Settings; go test ./cmd/tally -run TestREADME -update -->\n", "<!-- end of settings -->",
		settingsTable},
}

// TestREADMETablesMatchTheCommandsAndSettings fails when the README's
// command table lacks a command of the CLI or lists one it does not have
// (and likewise for settings); -update rewrites them.
func TestREADMETablesMatchTheCommandsAndSettings(t *testing.T) {
	b, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, g := range generated {
		i := strings.Index(readme, g.begin)
		j := strings.Index(readme, g.end)
		if i < 0 || j < i {
			t.Fatalf("the README has no %s table between %q and %q", g.name, g.begin, g.end)
		}
		have, want := readme[i+len(g.begin):j], g.table()
		if have == want {
			continue
		}
		if *update {
			readme = readme[:i+len(g.begin)] + want + readme[j:]
			continue
		}
		t.Errorf("the README's %s table differs from the code (go test ./cmd/tally -run TestREADME -update):\n%s", g.name, lineDiff(have, want))
	}
	if *update {
		if err := os.WriteFile(readmePath, []byte(readme), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// lineDiff lists the lines only in have (-) and only in want (+).
func lineDiff(have, want string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	h, w := in(have), in(want)
	var out []string
	for _, l := range strings.Split(have, "\n") {
		if !w[l] {
			out = append(out, "- "+l)
		}
	}
	for _, l := range strings.Split(want, "\n") {
		if !h[l] {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}
