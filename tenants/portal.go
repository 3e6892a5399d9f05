package tenants

import (
	"strings"
	"time"

	"github.com/tallyhq/tally/domain"
)

// Portal token lifetimes: a token lives DefaultPortalTTL unless its
// creator asks for another ttl, between MinPortalTTL and MaxPortalTTL.
const (
	DefaultPortalTTL = 24 * time.Hour
	MinPortalTTL     = time.Minute
	MaxPortalTTL     = 30 * 24 * time.Hour
)

// portalTag starts every portal token ("tly_prt_…"), so the API can tell
// one from an API key before looking it up.
const portalTag = "tly_prt_"

// IsPortalToken reports whether a bearer string has the shape of a portal
// token (it may still be unknown, revoked or expired).
func IsPortalToken(secret string) bool { return strings.HasPrefix(secret, portalTag) }

// PortalToken is a stored portal token: read-only access to one customer's
// /v1/portal/* routes and pages until ExpiresAt (on the tenant's clock) or
// until revoked. The secret itself is never kept.
type PortalToken struct {
	ID         string
	TenantID   string
	CustomerID string
	Prefix     string // the first characters of the token, to recognize it in lists
	CreatedAt  time.Time
	ExpiresAt  time.Time
	RevokedAt  *time.Time
}

// Check refuses a token that is revoked or whose expiry is at or before
// now: both are unauthorized, as an unknown token is.
func (t PortalToken) Check(now time.Time) error {
	switch {
	case t.RevokedAt != nil:
		return domain.Unauthorized("this portal token was revoked; ask for a new link")
	case !now.Before(t.ExpiresAt):
		return domain.Unauthorized("this portal token expired at " + t.ExpiresAt.UTC().Format(time.RFC3339) + "; ask for a new link")
	}
	return nil
}

// CreatePortalTokenInput is what POST /v1/customers/{id}/portal_tokens
// takes: TTL a Go duration ("24h", "90m"); empty means DefaultPortalTTL.
type CreatePortalTokenInput struct {
	TTL string
}

// Duration validates TTL and returns it: a duration between MinPortalTTL
// and MaxPortalTTL (both included), DefaultPortalTTL when empty.
func (in CreatePortalTokenInput) Duration() (time.Duration, error) {
	if strings.TrimSpace(in.TTL) == "" {
		return DefaultPortalTTL, nil
	}
	d, err := time.ParseDuration(strings.TrimSpace(in.TTL))
	var p domain.Problems
	switch {
	case err != nil:
		p.Add("ttl", "must be a duration such as 24h or 90m")
	case d < MinPortalTTL:
		p.Add("ttl", "must be at least %s", MinPortalTTL)
	case d > MaxPortalTTL:
		p.Add("ttl", "must be at most %s (30 days)", "720h")
	}
	return d, p.Err()
}

// newPortalSecret returns a fresh portal token: "tly_prt_" and 32 random
// characters.
func newPortalSecret() string {
	return portalTag + strings.TrimPrefix(newSecret(KindAdmin), "tly_adm_")
}

type portalRow struct {
	ID          string `gorm:"primaryKey"`
	TenantID    string
	CustomerID  string
	TokenHash   string
	TokenPrefix string
	CreatedAt   time.Time
	ExpiresAt   time.Time
	RevokedAt   *time.Time
}

func (portalRow) TableName() string { return "portal_tokens" }

func (r portalRow) toToken() PortalToken {
	t := PortalToken{ID: r.ID, TenantID: r.TenantID, CustomerID: r.CustomerID, Prefix: r.TokenPrefix,
		CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC()}
	if r.RevokedAt != nil {
		at := r.RevokedAt.UTC()
		t.RevokedAt = &at
	}
	return t
}
