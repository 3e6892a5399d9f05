package stripesync

import (
	"errors"
	"testing"
)

// TestRedact pins what never reaches a log line, an API reply or a stored
// stripe_sync_error from a Stripe error message.
func TestRedact(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"an e-mail address is redacted", "customer ann@example.com exists", "customer [email] exists"},
		{"a secret test key is redacted", "Invalid API Key provided: sk_test_4eC39HqLyjWDarjtT1zdp7dc", "Invalid API Key provided: [key]"},
		{"a live and a restricted key are redacted", "sk_live_abc123 and rk_live_xyz789", "[key] and [key]"},
		{"a bearer credential is redacted", "failure for Bearer sk_whatever", "failure for [key]"},
		{"Stripe's own masked key stays as it is", "Invalid API Key provided: sk_test_****p7dc", "Invalid API Key provided: sk_test_****p7dc"},
		{"an ordinary message is unchanged", "No such invoice: in_123", "No such invoice: in_123"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Redact(errors.New(c.in)); got != c.want {
				t.Errorf("Redact(%q) = %q, want %q", c.in, got, c.want)
			}
			e := &StripeError{Op: "create invoice", Attempts: 1, Status: 401, Err: errors.New(c.in)}
			if got, want := e.Error(), "stripe: create invoice failed with 401 after 1 attempt(s): "+c.want; got != want {
				t.Errorf("StripeError = %q, want %q", got, want)
			}
		})
	}
}
