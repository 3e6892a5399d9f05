package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Set at build time to override the build info, e.g.
// -ldflags "-X main.version=v1.2.0 -X main.commit=abc1234 -X main.date=2026-05-01T10:00:00Z".
var version, commit, date string

// versionInfo is what `tally version` prints.
type versionInfo struct {
	Version, Commit, Date, Go string
	Modified                  bool
}

// String is one line: "tally v1.2.0 (commit abc1234, 2026-05-01T10:00:00Z, go1.26.8)".
func (v versionInfo) String() string {
	c := v.Commit
	if v.Modified {
		c += "-dirty"
	}
	return fmt.Sprintf("tally %s (commit %s, %s, %s)", v.Version, c, v.Date, v.Go)
}

// buildVersion reads this binary's build info, overridden by -ldflags -X.
func buildVersion() versionInfo {
	info, _ := debug.ReadBuildInfo()
	return versionFrom(info, version, commit, date)
}

// versionFrom fills in the module version and the vcs.revision and vcs.time
// settings of info (which may be nil), each overridden by a non-empty
// value given at build time.
func versionFrom(info *debug.BuildInfo, version, commit, date string) versionInfo {
	v := versionInfo{Version: "(devel)", Commit: "unknown", Date: "unknown date", Go: runtime.Version()}
	if info != nil {
		if info.Main.Version != "" {
			v.Version = info.Main.Version
		}
		if info.GoVersion != "" {
			v.Go = info.GoVersion
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				v.Commit = s.Value
				if len(v.Commit) > 12 {
					v.Commit = v.Commit[:12]
				}
			case "vcs.time":
				v.Date = s.Value
			case "vcs.modified":
				v.Modified = s.Value == "true"
			}
		}
	}
	if version != "" {
		v.Version = version
	}
	if commit != "" {
		v.Commit, v.Modified = commit, false
	}
	if date != "" {
		v.Date = date
	}
	return v
}

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "print the version, commit and build date",
		Args:  args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(cmd.OutOrStdout(), buildVersion())
			return nil
		},
	}
}
