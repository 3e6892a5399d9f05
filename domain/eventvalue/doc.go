// Package eventvalue holds the values that events carry and that meters and
// prices filter on: a scalar JSON Value in the one canonical form that
// equality of event values uses (pricing.md), Filters over event properties,
// and their stored text. It is a leaf beside domain: pure values, no
// database, so that meters (which stores events and rollups) and plans
// (whose usage prices name filters) share one rule without importing each
// other.
package eventvalue
