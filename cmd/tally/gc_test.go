package main

import (
	"runtime/debug"
	"testing"
)

func TestTheGCTargetDefaultsUnlessGOGCIsSet(t *testing.T) {
	prev := debug.SetGCPercent(100)
	defer debug.SetGCPercent(prev)
	for _, tc := range []struct {
		name string
		gogc string
		want int
	}{
		{"without GOGC the collector targets DefaultGCPercent", "", DefaultGCPercent},
		{"GOGC in the environment is left to the runtime", "100", 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			debug.SetGCPercent(100)
			tuneGC(func(k string) string {
				if k == "GOGC" {
					return tc.gogc
				}
				return ""
			})
			if got := debug.SetGCPercent(100); got != tc.want {
				t.Fatalf("GC percent %d, want %d", got, tc.want)
			}
		})
	}
}
