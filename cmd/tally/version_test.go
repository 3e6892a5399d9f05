package main

import (
	"runtime/debug"
	"testing"
)

func TestVersionComesFromTheBuildInfoWithFallbacksAndOverrides(t *testing.T) {
	stamped := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/tallyhq/tally", Version: "v1.4.0"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.time", Value: "2026-05-01T10:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	cases := []struct {
		name                  string
		info                  *debug.BuildInfo
		version, commit, date string
		want                  string
	}{
		{"a stamped build shows its module version, short commit and date", stamped, "", "", "",
			"tally v1.4.0 (commit 0123456789ab-dirty, 2026-05-01T10:00:00Z, go1.26.8)"},
		{"a build without VCS information says (devel) and unknown", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}, "", "", "",
			"tally (devel) (commit unknown, unknown date, go1.26.8)"},
		{"-ldflags -X values win", stamped, "v2.0.0", "abc1234", "2026-06-01",
			"tally v2.0.0 (commit abc1234, 2026-06-01, go1.26.8)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := versionFrom(c.info, c.version, c.commit, c.date).String(); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}
