package meters

import "time"

// rollable reports whether rollups can serve an aggregation type.
func (t AggregationType) rollable() bool {
	return t == Count || t == Sum || t == Max || t == Latest
}

// grain is one rollup bucket size and the table that holds it.
type grain struct {
	table string
	size  int64 // microseconds
}

// grains are the rollup grains, largest first. Every event is counted in
// one bucket of each.
var grains = []grain{
	{table: "usage_rollups", size: time.Hour.Microseconds()},
	{table: "usage_rollups_minute", size: time.Minute.Microseconds()},
}

// floorTo is the start (UTC microseconds) of the bucket of size holding us.
func floorTo(us, size int64) int64 {
	b := us / size * size
	if us < 0 && us%size != 0 {
		b -= size
	}
	return b
}

// ceilTo is the first bucket start at or after us.
func ceilTo(us, size int64) int64 {
	b := floorTo(us, size)
	if b < us {
		b += size
	}
	return b
}

// segment is part of a window served by one grain's rollups, or (grain -1)
// by raw events.
type segment struct {
	grain      int
	start, end int64
}

// cover cuts [start, end) into segments: whole buckets of the largest grain
// in the middle, the ends covered by smaller grains, raw events only for
// what no grain covers whole.
func cover(start, end int64, from int) []segment {
	if start >= end {
		return nil
	}
	if from >= len(grains) {
		return []segment{{grain: -1, start: start, end: end}}
	}
	size := grains[from].size
	a, b := ceilTo(start, size), floorTo(end, size)
	if a >= b {
		return cover(start, end, from+1)
	}
	out := cover(start, a, from+1)
	out = append(out, segment{grain: from, start: a, end: b})
	return append(out, cover(b, end, from+1)...)
}
