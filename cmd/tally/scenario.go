package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tallyhq/tally/scenario"
)

// scenarioCmd plays scenario files against a running server:
//
//	tally scenario run [--url URL] [--root-key KEY] FILE...
//
// Each file runs in a tenant of its own (created with the root key). The
// exit status is 1 if any expectation failed.
func scenarioCmd(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "run" {
		return fmt.Errorf("usage: tally scenario run [--url URL] [--root-key KEY] FILE...")
	}
	fs := flag.NewFlagSet("scenario run", flag.ContinueOnError)
	url := fs.String("url", envOr("TALLY_URL", "http://127.0.0.1:8080"), "base URL of the Tally server ($TALLY_URL)")
	root := fs.String("root-key", os.Getenv("TALLY_ROOT_KEY"), "the server's root key ($TALLY_ROOT_KEY)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("name at least one scenario file")
	}
	if *root == "" {
		return fmt.Errorf("a root key is needed to create each scenario's tenant: --root-key or TALLY_ROOT_KEY")
	}
	failed := 0
	for _, path := range fs.Args() {
		f, err := scenario.Load(path)
		if err != nil {
			return err
		}
		rep, err := scenario.Run(ctx, *url, *root, f)
		if err != nil {
			fmt.Fprintf(out, "FAIL %s: %v\n", f.Name, err)
			failed++
			continue
		}
		verdict := "PASS"
		if !rep.Passed() {
			verdict = "FAIL"
			failed++
		}
		fmt.Fprintf(out, "%s %s (%d events accepted, %d duplicates, %d rejected)\n", verdict, f.Name, rep.Accepted, rep.Duplicates, len(rep.Rejected))
		for _, c := range rep.Checks {
			mark := "  ok  "
			if !c.OK {
				mark = "  FAIL"
			}
			line := mark + " " + c.Name
			if !c.OK && c.Detail != "" {
				line += ": " + c.Detail
			}
			fmt.Fprintln(out, line)
		}
		for _, r := range rep.Rejected {
			fmt.Fprintln(out, "  rejected", strings.TrimSpace(r))
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d scenarios failed", failed, fs.NArg())
	}
	return nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
