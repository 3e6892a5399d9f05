// Command testsummary reads `go test -json` events on stdin and prints what
// CI needs to see: each package's ok/FAIL line, the whole output of every
// failed test, the skip reason of every skipped test, and a final count. It
// exits 1 when a test or package failed, when the stream had no events, or
// when a test that touches PostgreSQL was skipped or could not reach it (in
// CI every Postgres half must run). `.ci/run` pipes `go test` through it;
// counting from the JSON events is immune to output that merely looks like
// `--- PASS` lines.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// event is one test2json record.
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

type key struct{ pkg, test string }

func main() {
	os.Exit(run(os.Stdin, os.Stdout, os.Stderr))
}

func run(in io.Reader, out, errOut io.Writer) int {
	outputs := map[key]*strings.Builder{}
	var passed, failed, skipped, events int
	pkgFailedTests := map[string]bool{}
	var failedPkgs, pgSkips, unreachable, garbage []string
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1024*1024), 64*1024*1024)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			// Not an event: the go command's own messages (build errors).
			garbage = append(garbage, string(line))
			fmt.Fprintln(out, string(line))
			continue
		}
		events++
		k := key{e.Package, e.Test}
		switch e.Action {
		case "output", "build-output":
			b := outputs[k]
			if b == nil {
				b = &strings.Builder{}
				outputs[k] = b
			}
			b.WriteString(e.Output)
			if strings.Contains(e.Output, "PostgreSQL not reachable") {
				unreachable = append(unreachable, name(k))
			}
			if e.Test == "" && e.Action == "output" && (strings.HasPrefix(e.Output, "ok ") || strings.HasPrefix(e.Output, "FAIL") || strings.HasPrefix(e.Output, "panic:")) {
				fmt.Fprint(out, e.Output)
			}
			if e.Action == "build-output" {
				fmt.Fprint(out, e.Output)
			}
		case "pass":
			if e.Test != "" {
				passed++
			}
			delete(outputs, k)
		case "skip":
			if e.Test != "" {
				skipped++
				text := textOf(outputs, k)
				fmt.Fprintf(out, "--- SKIP %s\n%s", name(k), indent(text))
				if strings.Contains(strings.ToLower(text+e.Test), "postgres") {
					pgSkips = append(pgSkips, name(k))
				}
			}
			delete(outputs, k)
		case "fail":
			if e.Test != "" {
				failed++
				pkgFailedTests[e.Package] = true
				fmt.Fprintf(out, "--- FAIL %s\n%s", name(k), indent(textOf(outputs, k)))
			} else {
				failedPkgs = append(failedPkgs, e.Package)
				if b := outputs[k]; b != nil && !pkgFailedTests[e.Package] {
					// A package failing outside any test (build error, TestMain, panic).
					fmt.Fprintf(out, "FAIL %s (package output):\n%s", e.Package, indent(b.String()))
				}
			}
			delete(outputs, k)
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintf(errOut, "CI: reading go test output: %v\n", err)
		return 1
	}
	status := 0
	if events == 0 {
		fmt.Fprintln(errOut, "CI: go test produced no test events")
		status = 1
	}
	if len(pgSkips) > 0 {
		fmt.Fprintf(errOut, "CI: Postgres tests were skipped; they must run in CI: %s\n", strings.Join(uniq(pgSkips), ", "))
		status = 1
	}
	if len(unreachable) > 0 {
		fmt.Fprintf(errOut, "CI: a test could not reach PostgreSQL: %s\n", strings.Join(uniq(unreachable), ", "))
		status = 1
	}
	if len(failedPkgs) > 0 {
		fmt.Fprintf(errOut, "CI: failed packages: %s\n", strings.Join(uniq(failedPkgs), ", "))
		status = 1
	}
	if failed > 0 {
		status = 1
	}
	fmt.Fprintf(out, "tests: %d passed, %d failed, %d skipped; packages failed: %d\n", passed, failed, skipped, len(uniq(failedPkgs)))
	return status
}

// textOf is the output collected for a test (empty when it printed none).
func textOf(outputs map[key]*strings.Builder, k key) string {
	if b := outputs[k]; b != nil {
		return b.String()
	}
	return ""
}

func name(k key) string {
	if k.test == "" {
		return k.pkg
	}
	return k.pkg + "." + k.test
}

func indent(s string) string {
	if s == "" {
		return ""
	}
	lines := strings.SplitAfter(s, "\n")
	var b strings.Builder
	for _, l := range lines {
		if l != "" {
			b.WriteString("    " + l)
		}
	}
	if !strings.HasSuffix(s, "\n") {
		b.WriteString("\n")
	}
	return b.String()
}

func uniq(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}
