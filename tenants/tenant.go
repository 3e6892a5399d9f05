package tenants

import (
	"strings"
	"time"

	"github.com/tallyhq/tally/domain"
)

// Tenant is one isolated account.
type Tenant struct {
	ID        string
	Name      string
	CreatedAt time.Time
}

// CreateTenantInput is what POST /v1/tenants takes.
type CreateTenantInput struct {
	Name string
}

// Validate requires a non-blank name of at most 200 characters.
func (in CreateTenantInput) Validate() error {
	var p domain.Problems
	name := strings.TrimSpace(in.Name)
	switch {
	case name == "":
		p.Add("name", "is required")
	case len(name) > 200:
		p.Add("name", "must be at most 200 characters")
	}
	return p.Err()
}
