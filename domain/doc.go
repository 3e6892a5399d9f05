// Package domain holds the small value types every Tally package shares:
// money and currencies, half-open periods, the clock, resource ids and the
// kinds of error the API maps to status codes. It imports nothing of Tally's
// and holds no business rule beyond what these values themselves mean.
package domain
