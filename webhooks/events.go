package webhooks

import (
	"sort"
	"strings"

	"github.com/tallyhq/tally/domain"
)

// Event types (api.md, "Outbound webhooks").
const (
	InvoiceCreated          = "invoice.created"
	InvoiceFinalized        = "invoice.finalized"
	InvoicePaid             = "invoice.paid"
	InvoiceVoided           = "invoice.voided"
	InvoicePaymentFailed    = "invoice.payment_failed"
	CreditsLow              = "credits.low"
	CreditsExhausted        = "credits.exhausted"
	CreditsExpired          = "credits.expired"
	BudgetThresholdReached  = "budget.threshold_reached"
	SubscriptionCanceled    = "subscription.canceled"
	SubscriptionPlanChanged = "subscription.plan_changed"
	idPrefixEvent           = "whe"
	idPrefixEndpoint        = "we"
	idPrefixDelivery        = "whd"
)

// Types lists every event type an endpoint may subscribe to.
var Types = []string{InvoiceCreated, InvoiceFinalized, InvoicePaid, InvoiceVoided, InvoicePaymentFailed,
	CreditsLow, CreditsExhausted, CreditsExpired, BudgetThresholdReached, SubscriptionCanceled, SubscriptionPlanChanged}

// Known reports whether t is an event type.
func Known(t string) bool {
	for _, k := range Types {
		if k == t {
			return true
		}
	}
	return false
}

// Event is what a change reports: its type, the customer it concerns ("" if
// none; ordering is stated per customer) and its data object, marshalled to
// JSON as the body's "data".
type Event struct {
	Type       string
	CustomerID string
	Data       any
}

// checkEvents validates a subscription list (at least one type, each
// known), adding its problems to p; duplicates are dropped and the result
// sorted.
func checkEvents(p *domain.Problems, field string, events []string) []string {
	if len(events) == 0 {
		p.Add(field, "must name at least one event type (%s)", strings.Join(Types, ", "))
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, e := range events {
		if !Known(e) {
			p.Add(field, "unknown event type %q (one of %s)", e, strings.Join(Types, ", "))
			return nil
		}
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	sort.Strings(out)
	return out
}
