// Package app is Tally's composition root: it reads the settings from the
// environment, opens and migrates the database, and wires the domain
// services to the HTTP API. Commands and end-to-end tests start Tally
// through it, so they run exactly what production runs.
package app
