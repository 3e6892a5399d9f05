package demo

import (
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/invoicing"
)

// Result is what Seed created. The keys are the only copies of their
// secrets.
type Result struct {
	TenantID  string
	AdminKey  string
	IngestKey string
	Meters    []string // keys
	Plans     []string // keys, the shared scenarios' then the local ones
	Customers []Customer
	// Featured is the external id of the customer the example commands
	// use: one whose current period is never only a few hours old.
	Featured string
	// Events is how many events were stored, UsageFrom the earliest start of
	// their window and Now the instant seeding used as now.
	Events    int
	UsageFrom time.Time
	Now       time.Time
	// Digest fingerprints the generated events (ids, timestamps and
	// properties): equal for the same data and the same now.
	Digest string
	// Invoices are those the seed's invoice run drafted, oldest first, one
	// of them (Finalized) then finalized.
	Invoices  []Invoice
	Finalized string // invoice id
	// Grants is how many credit grants were made.
	Grants int
}

// Customer is one seeded customer with its subscription.
type Customer struct {
	ID             string
	ExternalID     string
	Name           string
	Timezone       string
	Currency       string
	Plan           string // plan key, "" without a subscription
	BillingCycle   string // calendar or anniversary
	SubscriptionID string
	Ref            string // the subscription's ref in the data
	StartAt        time.Time
	// Events is how many events were generated for the customer, Unit what
	// one counts ("execution", "query"; "event" when its meters sum a
	// field).
	Events int
	Unit   Noun
}

// Invoice is one invoice the seed drafted, as the welcome text lists it.
type Invoice struct {
	ID       string
	Number   string // "" until finalized
	Status   invoicing.Status
	Reason   invoicing.Reason
	Customer string // external id
	Location *time.Location
	Period   domain.Period
	Currency domain.Currency
	Total    decimal.Decimal
}

// Customer returns the seeded customer with the external id, if any.
func (r Result) Customer(externalID string) (Customer, bool) {
	for _, c := range r.Customers {
		if c.ExternalID == externalID {
			return c, true
		}
	}
	return Customer{}, false
}

// Invoice returns the seeded invoice with the id, if any.
func (r Result) Invoice(id string) (Invoice, bool) {
	for _, inv := range r.Invoices {
		if inv.ID == id {
			return inv, true
		}
	}
	return Invoice{}, false
}

// Drafts counts the seeded invoices still in draft.
func (r Result) Drafts() int {
	n := 0
	for _, inv := range r.Invoices {
		if inv.Status == invoicing.Draft {
			n++
		}
	}
	return n
}
