package calendar

import (
	"time"

	"github.com/tallyhq/tally/domain"
)

// LoadLocation resolves a customer's IANA time zone name. The empty name means
// UTC. "Local" is rejected, since it would make periods depend on the server's
// own zone; any other name the time zone database does not know is a
// validation error on field "timezone".
func LoadLocation(name string) (*time.Location, error) {
	if name == "" {
		return time.UTC, nil
	}
	if name == "Local" {
		return nil, domain.Invalid("timezone", "must be an IANA time zone name such as Europe/Berlin, not %q", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, domain.Invalid("timezone", "unknown IANA time zone %q", name)
	}
	return loc, nil
}
