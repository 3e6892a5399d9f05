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
	Expect        []Expect          `json:"expect"`
}

// Generate describes count generated events.
type Generate struct {
	Count    int             `json:"count"`
	IDPrefix string          `json:"id_prefix"`
	From     time.Time       `json:"from"`
	To       time.Time       `json:"to"`
	Event    json.RawMessage `json:"event"`
}

// Expect is one expectation: a proposed invoice, or an invoice run and the
// invoices it must have drafted.
type Expect struct {
	ProposedInvoice *ProposedExpect `json:"proposed_invoice"`
	InvoiceRun      *InvoiceRun     `json:"invoice_run"`
	Invoices        []InvoiceExpect `json:"invoices"`
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
