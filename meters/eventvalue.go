package meters

import "github.com/tallyhq/tally/domain/eventvalue"

// Value is an event value (see package eventvalue), named here because
// meters reads, stores and aggregates event values throughout.
type Value = eventvalue.Value

// Filters narrow a meter or a price to part of its events (see
// eventvalue.Filters).
type Filters = eventvalue.Filters

// decodeFilters reads stored filters (eventvalue.DecodeFilters).
func decodeFilters(s string) Filters { return eventvalue.DecodeFilters(s) }

// filtersKey names the rollup series of a filter set (eventvalue.Filters.Key).
func filtersKey(f Filters) string { return f.Key() }
