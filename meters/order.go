package meters

// Events are ordered by (timestamp, id), ids compared byte by byte (their
// UTF-8), never by a database collation: `latest` ties on one timestamp go
// to the greater id, and "evt-a" is greater than "evt-B" (0x61 > 0x42) even
// on a Postgres database whose default collation (ICU en-US, say) sorts it
// first. Go compares strings by bytes; SQLite's default BINARY collation
// does too; Postgres is told COLLATE "C" wherever SQL compares or orders ids
// (sqlDialect.byteID).

// later orders events by timestamp, ties to the greater id (by bytes).
func later(a, b Event) bool {
	if !a.Timestamp.Equal(b.Timestamp) {
		return a.Timestamp.After(b.Timestamp)
	}
	return a.ID > b.ID
}
