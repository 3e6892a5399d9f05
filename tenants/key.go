package tenants

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"strings"
	"time"

	"github.com/tallyhq/tally/domain"
)

// KeyKind says what a key may do.
type KeyKind string

const (
	// KindAdmin may do everything inside its tenant.
	KindAdmin KeyKind = "admin"
	// KindIngest may only send events.
	KindIngest KeyKind = "ingest"
)

// APIKey is a stored key; the secret itself is never kept.
type APIKey struct {
	ID        string
	TenantID  string
	Kind      KeyKind
	Name      string
	Prefix    string // the first characters of the key, to recognize it in lists
	CreatedAt time.Time
	RevokedAt *time.Time
}

// CreateKeyInput is what POST /v1/api_keys takes.
type CreateKeyInput struct {
	Kind KeyKind
	Name string
}

// Validate requires a known kind and a name.
func (in CreateKeyInput) Validate() error {
	var p domain.Problems
	if in.Kind != KindAdmin && in.Kind != KindIngest {
		p.Add("kind", "must be %q or %q", KindAdmin, KindIngest)
	}
	if strings.TrimSpace(in.Name) == "" {
		p.Add("name", "is required")
	}
	return p.Err()
}

var keyEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newSecret returns a fresh key: "tly_<kind>_" and 32 random characters.
func newSecret(kind KeyKind) string {
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	tag := "adm"
	if kind == KindIngest {
		tag = "ing"
	}
	return "tly_" + tag + "_" + keyEncoding.EncodeToString(b)
}

// hashKey is the stored form of a key.
func hashKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// sameHash compares two stored hashes in constant time.
func sameHash(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func prefixOf(secret string) string {
	if len(secret) > 12 {
		return secret[:12]
	}
	return secret
}
