package main

import (
	"os"
	"runtime/debug"
)

// DefaultGCPercent is the garbage collector's target when GOGC is not set:
// the heap may grow to five times what is live before a collection, instead
// of Go's default twice. Ingestion allocates a batch's decoding and rows
// and drops them at once; at Go's default a fifth of the server's CPU went
// to marking (pprof under `tally bench ingest`), for a live heap of tens of
// MiB. GOGC set in the environment wins, as does GOMEMLIMIT (set it in
// memory-capped containers: the collector then runs early rather than
// exceed the limit).
const DefaultGCPercent = 400

// tuneGC applies DefaultGCPercent unless getenv has GOGC.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(DefaultGCPercent)
	}
}

func init() { tuneGC(os.Getenv) }
