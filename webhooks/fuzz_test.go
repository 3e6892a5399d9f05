package webhooks_test

import (
	"testing"
	"time"

	"github.com/tallyhq/tally/webhooks"
)

// FuzzVerify: any header and body; no panic. A header Sign made verifies;
// the same header on a changed body, with another secret or outside the
// tolerance does not; a fuzzed header verifies only if it carries the
// body's real signature.
func FuzzVerify(f *testing.F) {
	f.Add("whsec_a", []byte(`{"id":"evt_1"}`), "t=1773050400,v1=00", int64(1773050400), byte(1))
	f.Add("", []byte{}, "", int64(0), byte(0))
	f.Add("s", []byte("x"), "t=,v1=", int64(-1), byte(255))
	f.Add("s", []byte("x"), "t=1,v1=a,v1=b,v0=c, t=2", int64(9223372036), byte(7))
	f.Fuzz(func(t *testing.T, secret string, body []byte, header string, unix int64, flip byte) {
		if unix < -1<<40 || unix > 1<<40 {
			return
		}
		at := time.Unix(unix, 0)
		good := webhooks.Sign(secret, at, body)
		if err := webhooks.Verify(secret, good, body, at, 5*time.Minute); err != nil {
			t.Fatalf("own signature refused: %v", err)
		}
		if err := webhooks.Verify(secret, good, body, at.Add(6*time.Minute), 5*time.Minute); err == nil {
			t.Fatal("a signature 6 minutes old was accepted with a 5-minute tolerance")
		}
		if err := webhooks.Verify(secret+"x", good, body, at, 5*time.Minute); err == nil {
			t.Fatal("another secret verified the signature")
		}
		changed := append([]byte{flip}, body...)
		if err := webhooks.Verify(secret, good, changed, at, 5*time.Minute); err == nil {
			t.Fatal("a changed body verified")
		}
		if err := webhooks.Verify(secret, header, body, at, 0); err == nil {
			// Accepted: the header must carry the real v1 of some t= it names.
			if !containsSig(header, secret, body) {
				t.Fatalf("header %q verified without the body's signature", header)
			}
		}
	})
}

// containsSig reports whether header's t= and some v1= are the signature of
// body at that t (any t Verify might have read).
func containsSig(header, secret string, body []byte) bool {
	for _, u := range timestamps(header) {
		sig := webhooks.Sign(secret, time.Unix(u, 0), body)
		v1 := sig[len(sig)-64:]
		if contains(header, "v1="+v1) {
			return true
		}
	}
	return false
}
