package idempotency

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// TTL is how long a key is remembered after its first request.
const TTL = 24 * time.Hour

// PruneEvery is the least time between two deletions of expired keys.
const PruneEvery = 10 * time.Minute

// MaxKeyLength is the longest Idempotency-Key accepted (as Stripe's).
const MaxKeyLength = 255

// RootOwner is the Owner of requests made with the root key.
const RootOwner = "root"

// Request is what a key is first used for: the caller, the key and the
// fingerprint a retry must match.
type Request struct {
	// Owner is the caller: an API key's id, or RootOwner.
	Owner string
	// Key is the client's Idempotency-Key, 1 to MaxKeyLength characters.
	Key string
	// Method and Path (with its query, if any) of the request.
	Method, Path string
	// BodyHash is the hex SHA-256 of the request body (see HashBody).
	BodyHash string
}

// sameRequest reports whether r is a retry of the request stored in row.
func (r Request) sameRequest(row keyRow) bool {
	return r.Method == row.Method && r.Path == row.Path && r.BodyHash == row.BodyHash
}

// HashBody returns the hex SHA-256 of a body as stored in Request.BodyHash.
// Callers pass the body they compare by (api passes canonical JSON, so key
// order and white space do not make a retry "different").
func HashBody(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// Response is a stored reply: replayed byte for byte with its status and
// content type.
type Response struct {
	Status      int
	ContentType string
	Body        []byte
}

// Claim is the outcome of Begin. With Replay set, the key already answered
// this request: send Replay and nothing else. Otherwise the caller holds the
// key and must Complete or Release it.
type Claim struct {
	Request Request
	// Replay is the stored reply of an earlier, identical request.
	Replay *Response
	// token is the claimed row's created_at: Complete and Release touch the
	// row only if it is still this claim's.
	token int64
}
