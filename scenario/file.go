package scenario

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// File is one scenario as written. Bodies stay raw JSON so that numbers
// reach the server exactly as written.
type File struct {
	Name          string            `json:"name"`
	About         string            `json:"about"`
	Meters        []json.RawMessage `json:"meters"`
	Plans         []json.RawMessage `json:"plans"`
	Customers     []json.RawMessage `json:"customers"`
	Subscriptions []json.RawMessage `json:"subscriptions"`
	Events        []json.RawMessage `json:"events"`
	Generate      []Generate        `json:"generate"`
	EventsAgain   []json.RawMessage `json:"events_again"`
	// Rejected is how many of the setup events the server must reject
	// (default 0). Our extension of the form.
	Rejected int      `json:"rejected"`
	Expect   []Expect `json:"expect"`
}

// Generate describes count generated events.
type Generate struct {
	Count    int             `json:"count"`
	IDPrefix string          `json:"id_prefix"`
	From     time.Time       `json:"from"`
	To       time.Time       `json:"to"`
	Event    json.RawMessage `json:"event"`
}

// Expect is one entry of expect, checked in order: a proposed invoice, an
// invoice run and the invoices it must have drafted, or a step (form
// version 2: the clock, changes, events, lifecycle actions, credits and
// checks of what exists; see spec/scenarios/README.md, "Steps").
type Expect struct {
	ProposedInvoice *ProposedExpect `json:"proposed_invoice"`
	InvoiceRun      *InvoiceRun     `json:"invoice_run"`
	Invoices        []InvoiceExpect `json:"invoices"`

	Clock          string            `json:"clock"`
	Cancel         *CancelStep       `json:"cancel"`
	ChangePlan     *ChangePlanStep   `json:"change_plan"`
	UpdateCustomer json.RawMessage   `json:"update_customer"`
	Events         []json.RawMessage `json:"events"`
	// Rejected is how many of a step's events the server must reject
	// (default 0: any rejection fails the scenario). Our extension.
	Rejected      int             `json:"rejected"`
	Finalize      *InvoiceRef     `json:"finalize"`
	Void          *InvoiceRef     `json:"void"`
	Regenerate    *InvoiceRef     `json:"regenerate"`
	CreditGrant   json.RawMessage `json:"credit_grant"`
	CreditBalance *BalanceExpect  `json:"credit_balance"`
	Billed        *BilledExpect   `json:"billed"`
	// As names what a change_plan (the successor) or a credit_grant made,
	// for later entries.
	As string `json:"as"`
	// Compare and BreakEven post their body to /v1/plans/compare or
	// /v1/plans/break_even; Reply is what the answer must contain
	// (scenario.Contains). Our extension, for the advisor's pricing pages.
	Compare   json.RawMessage `json:"compare"`
	BreakEven json.RawMessage `json:"break_even"`
	Reply     json.RawMessage `json:"reply"`
}

// CancelStep is POST /v1/subscriptions/{id}/cancel.
type CancelStep struct {
	Subscription string `json:"subscription"`
	At           string `json:"at"`
	Prorate      *bool  `json:"prorate"`
}

// ChangePlanStep is POST /v1/subscriptions/{id}/change_plan.
type ChangePlanStep struct {
	Subscription string `json:"subscription"`
	Plan         string `json:"plan"`
	At           string `json:"at"`
}

// InvoiceRef names one invoice of a subscription by reason and period start.
type InvoiceRef struct {
	Subscription  string `json:"subscription"`
	BillingReason string `json:"billing_reason"`
	PeriodStart   string `json:"period_start"`
}

// BalanceExpect checks GET /v1/customers/{id}/credit_balance?at= for one
// unit; each figure given must match.
type BalanceExpect struct {
	Customer  string `json:"customer"`
	At        string `json:"at"`
	Unit      string `json:"unit"`
	Remaining string `json:"remaining"`
	Granted   string `json:"granted"`
	Used      string `json:"used"`
	Pending   string `json:"pending"`
	Expired   string `json:"expired"`
}

// BilledExpect checks the sum of the totals of a subscription's invoices
// that are not void.
type BilledExpect struct {
	Subscription string `json:"subscription"`
	Total        string `json:"total"`
}

// ProposedExpect checks GET /v1/subscriptions/{id}/proposed_invoice?at=.
type ProposedExpect struct {
	Subscription string            `json:"subscription"`
	At           string            `json:"at"`
	Total        string            `json:"total"`
	Lines        map[string]string `json:"lines"`
}

// InvoiceRun is the body of POST /v1/invoice_runs.
type InvoiceRun struct {
	AsOf string `json:"as_of"`
}

// InvoiceExpect names one drafted invoice and its amounts.
type InvoiceExpect struct {
	Subscription  string            `json:"subscription"`
	BillingReason string            `json:"billing_reason"`
	PeriodStart   string            `json:"period_start"`
	Total         string            `json:"total"`
	Lines         map[string]string `json:"lines"`
}

// Load reads a scenario file.
func Load(path string) (File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return File{}, err
	}
	var f File
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&f); err != nil {
		return File{}, fmt.Errorf("%s: %w", path, err)
	}
	if f.Name == "" {
		return File{}, fmt.Errorf("%s: a scenario needs a name", path)
	}
	return f, nil
}

// generated returns the events of a generate block.
func (g Generate) generated() ([]json.RawMessage, error) {
	var tmpl map[string]json.RawMessage
	if err := json.Unmarshal(g.Event, &tmpl); err != nil {
		return nil, fmt.Errorf("generate %s: event must be an object: %w", g.IDPrefix, err)
	}
	from, to := g.From.UnixMicro(), g.To.UnixMicro()
	out := make([]json.RawMessage, g.Count)
	for i := 0; i < g.Count; i++ {
		// i × span / count, rounded down, in integer microseconds.
		off := mulDiv(int64(i), to-from, int64(g.Count))
		ts := time.UnixMicro(from + off).UTC().Format(time.RFC3339Nano)
		ev := make(map[string]json.RawMessage, len(tmpl)+2)
		for k, v := range tmpl {
			ev[k] = v
		}
		ev["id"], _ = json.Marshal(fmt.Sprintf("%s%d", g.IDPrefix, i))
		ev["timestamp"], _ = json.Marshal(ts)
		b, err := json.Marshal(ev)
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}
