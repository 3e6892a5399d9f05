package scenario

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// BatchSize is how many events one POST /v1/events/batch carries.
const BatchSize = 1000

// Check is the outcome of one expectation.
type Check struct {
	Name   string
	OK     bool
	Detail string
}

// Report is the outcome of one scenario.
type Report struct {
	Name       string
	Accepted   int
	Duplicates int
	Rejected   []string
	Checks     []Check
}

// Passed reports whether every check passed.
func (r Report) Passed() bool {
	for _, c := range r.Checks {
		if !c.OK {
			return false
		}
	}
	return len(r.Checks) > 0
}

// Run plays f against the server at baseURL: it creates a tenant of its own
// with the root key, builds the scenario through the API and checks every
// expectation. An error means the scenario could not be played at all (a
// refused setup request); failed expectations are in the report.
func Run(ctx context.Context, baseURL, rootKey string, f File) (Report, error) {
	rep := Report{Name: f.Name}
	root := &Client{BaseURL: baseURL, Key: rootKey}
	var tenant struct {
		APIKey string `json:"api_key"`
	}
	name := fmt.Sprintf("scenario %s %d", f.Name, time.Now().UnixNano())
	if err := root.do(ctx, "POST", "/v1/tenants", map[string]string{"name": name}, &tenant); err != nil {
		return rep, fmt.Errorf("create tenant: %w", err)
	}
	c := &Client{BaseURL: baseURL, Key: tenant.APIKey, HTTP: root.HTTP}
	pl := &player{c: c, subs: map[string]string{}, customers: map[string]string{}, grants: map[string]string{}}
	expects := f.Expect
	// A scenario with steps begins with a clock step: everything is
	// created at that instant.
	if len(expects) > 0 && expects[0].Clock != "" {
		rep.Checks = append(rep.Checks, pl.clock(ctx, 0, expects[0].Clock))
		if !rep.Checks[0].OK {
			return rep, fmt.Errorf("set the test clock (does the server run with TALLY_TEST_CLOCK=on?): %s", rep.Checks[0].Detail)
		}
		expects = expects[1:]
	}
	for i, m := range f.Meters {
		if err := c.do(ctx, "POST", "/v1/meters", m, nil); err != nil {
			return rep, fmt.Errorf("meters[%d]: %w", i, err)
		}
	}
	for i, p := range f.Plans {
		if err := c.do(ctx, "POST", "/v1/plans", p, nil); err != nil {
			return rep, fmt.Errorf("plans[%d]: %w", i, err)
		}
	}
	for i, cu := range f.Customers {
		var created struct {
			ID         string `json:"id"`
			ExternalID string `json:"external_id"`
		}
		if err := c.do(ctx, "POST", "/v1/customers", cu, &created); err != nil {
			return rep, fmt.Errorf("customers[%d]: %w", i, err)
		}
		pl.customers[created.ExternalID] = created.ID
	}
	for i, raw := range f.Subscriptions {
		var body map[string]json.RawMessage
		if err := json.Unmarshal(raw, &body); err != nil {
			return rep, fmt.Errorf("subscriptions[%d]: %w", i, err)
		}
		var ref string
		if r, ok := body["ref"]; ok {
			_ = json.Unmarshal(r, &ref)
			delete(body, "ref")
		}
		var created struct {
			ID string `json:"id"`
		}
		if err := c.do(ctx, "POST", "/v1/subscriptions", body, &created); err != nil {
			return rep, fmt.Errorf("subscriptions[%d]: %w", i, err)
		}
		if ref != "" {
			pl.subs[ref] = created.ID
		}
	}
	all, err := Expand(f)
	if err != nil {
		return rep, err
	}
	res, err := pl.send(ctx, all)
	if err != nil {
		return rep, err
	}
	rep.Accepted, rep.Duplicates, rep.Rejected = res.accepted, res.duplicates, res.rejected
	if len(res.rejected) != f.Rejected {
		rep.Checks = append(rep.Checks, Check{Name: "events", Detail: fmt.Sprintf("%d events rejected, the file expects %d: %s",
			len(res.rejected), f.Rejected, strings.Join(res.rejected, "; "))})
	}
	offset := len(f.Expect) - len(expects)
	for k, e := range expects {
		rep.Checks = append(rep.Checks, pl.step(ctx, k+offset, e)...)
	}
	return rep, nil
}

// Expand returns every event the scenario sends, in order: events, the
// generated ones, then events_again.
func Expand(f File) ([]json.RawMessage, error) {
	var all []json.RawMessage
	all = append(all, f.Events...)
	for _, g := range f.Generate {
		evs, err := g.generated()
		if err != nil {
			return nil, err
		}
		all = append(all, evs...)
	}
	return append(all, f.EventsAgain...), nil
}

// invoice is the part of an invoice the runner reads.
type invoice struct {
	ID             string `json:"id"`
	Status         string `json:"status"`
	ReplacedBy     string `json:"replaced_by"`
	BillingReason  string `json:"billing_reason"`
	SubscriptionID string `json:"subscription_id"`
	PeriodStart    string `json:"period_start"`
	Subtotal       string `json:"subtotal"`
	CreditsApplied string `json:"credits_applied"`
	Total          string `json:"total"`
	Lines          []struct {
		PriceKey string `json:"price_key"`
		Amount   string `json:"amount"`
	} `json:"lines"`
}

// compare checks an invoice's total, its lines per price key, and that the
// lines add up to the subtotal and the subtotal minus credits to the total.
func compare(inv invoice, total string, lines map[string]string) []string {
	var bad []string
	dec := func(s string) decimal.Decimal {
		d, err := decimal.NewFromString(s)
		if err != nil {
			bad = append(bad, fmt.Sprintf("%q is not a decimal", s))
		}
		return d
	}
	sums := map[string]decimal.Decimal{}
	all := decimal.Zero
	for _, l := range inv.Lines {
		a := dec(l.Amount)
		sums[l.PriceKey] = sums[l.PriceKey].Add(a)
		all = all.Add(a)
	}
	if total != "" && !dec(inv.Total).Equal(dec(total)) {
		bad = append(bad, fmt.Sprintf("total %s, want %s", inv.Total, total))
	}
	keys := make([]string, 0, len(lines))
	for k := range lines {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if got := sums[k]; !got.Equal(dec(lines[k])) {
			bad = append(bad, fmt.Sprintf("lines[%s] %s, want %s", k, got.String(), lines[k]))
		}
	}
	if !all.Equal(dec(inv.Subtotal)) {
		bad = append(bad, fmt.Sprintf("lines add up to %s but subtotal is %s", all, inv.Subtotal))
	}
	if !dec(inv.Subtotal).Sub(dec(inv.CreditsApplied)).Equal(dec(inv.Total)) {
		bad = append(bad, fmt.Sprintf("subtotal %s − credits %s ≠ total %s", inv.Subtotal, inv.CreditsApplied, inv.Total))
	}
	return bad
}

func (pl *player) proposed(ctx context.Context, i int, e ProposedExpect) Check {
	c, subs := pl.c, pl.subs
	ch := Check{Name: fmt.Sprintf("expect[%d] proposed invoice of %s at %s", i, e.Subscription, e.At)}
	id, ok := subs[e.Subscription]
	if !ok {
		ch.Detail = "no subscription with ref " + e.Subscription
		return ch
	}
	var inv invoice
	path := "/v1/subscriptions/" + id + "/proposed_invoice"
	if e.At != "" {
		path += "?at=" + url.QueryEscape(e.At)
	}
	if err := c.do(ctx, "GET", path, nil, &inv); err != nil {
		ch.Detail = err.Error()
		return ch
	}
	bad := compare(inv, e.Total, e.Lines)
	ch.OK = len(bad) == 0
	ch.Detail = strings.Join(bad, "; ")
	return ch
}

// run posts an invoice run and checks that it completed, then checks the
// listed invoices.
func (pl *player) run(ctx context.Context, i int, run InvoiceRun, want []InvoiceExpect) []Check {
	head := Check{Name: fmt.Sprintf("expect[%d] invoice run as of %s", i, run.AsOf)}
	body := map[string]any{"wait": true}
	if run.AsOf != "" {
		body["as_of"] = run.AsOf
	}
	var res struct {
		Status string          `json:"status"`
		Failed json.RawMessage `json:"failed"`
	}
	if err := pl.c.do(ctx, "POST", "/v1/invoice_runs", body, &res); err != nil {
		head.Detail = err.Error()
		return []Check{head}
	}
	head.OK = res.Status == "completed"
	head.Detail = "status " + res.Status
	if !head.OK {
		head.Detail += ", failed: " + string(res.Failed)
	}
	return append([]Check{head}, pl.checkInvoices(ctx, i, want)...)
}

// checkInvoices checks that each listed invoice exists (exactly one that is
// not void) with its amounts.
func (pl *player) checkInvoices(ctx context.Context, i int, want []InvoiceExpect) []Check {
	var out []Check
	for k, w := range want {
		ch := Check{Name: fmt.Sprintf("expect[%d].invoices[%d] %s %s from %s", i, k, w.Subscription, w.BillingReason, w.PeriodStart)}
		match, err := pl.find(ctx, InvoiceRef{Subscription: w.Subscription, BillingReason: w.BillingReason, PeriodStart: w.PeriodStart},
			func(inv invoice) bool { return inv.Status != "void" })
		if err != nil {
			ch.Detail = err.Error()
			out = append(out, ch)
			continue
		}
		bad := compare(match, w.Total, w.Lines)
		ch.OK = len(bad) == 0
		ch.Detail = strings.Join(bad, "; ")
		out = append(out, ch)
	}
	return out
}

func listInvoices(ctx context.Context, c *Client, subscriptionID string) ([]invoice, error) {
	var all []invoice
	cursor := ""
	for {
		path := "/v1/invoices?limit=500&subscription=" + url.QueryEscape(subscriptionID)
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		var page struct {
			Data       []invoice `json:"data"`
			NextCursor *string   `json:"next_cursor"`
		}
		if err := c.do(ctx, "GET", path, nil, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Data...)
		if page.NextCursor == nil || *page.NextCursor == "" {
			return all, nil
		}
		cursor = *page.NextCursor
	}
}
