// Package apptest starts a real Tally — the same wiring as `tally serve` —
// on a fresh database of either store, behind an httptest server, and gives
// tests a small JSON client for it.
package apptest
