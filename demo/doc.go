// Package demo seeds a demo tenant — the meters and plans of the shared
// billing scenarios, a handful of customers on them and a month of generated
// usage — and runs `tally demo`: a server on a fresh embedded database
// holding that tenant.
package demo
