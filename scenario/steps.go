package scenario

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// player plays one scenario's entries against a tenant, remembering the
// names (refs, external ids, grant names) later entries use.
type player struct {
	c         *Client
	subs      map[string]string // ref → subscription id
	customers map[string]string // external_id → customer id
	grants    map[string]string // as → grant id
}

// step checks or performs one expect entry.
func (pl *player) step(ctx context.Context, i int, e Expect) []Check {
	one := func(c Check) []Check { return []Check{c} }
	switch {
	case e.ProposedInvoice != nil:
		return one(pl.proposed(ctx, i, *e.ProposedInvoice))
	case e.InvoiceRun != nil:
		return pl.run(ctx, i, *e.InvoiceRun, e.Invoices)
	case e.Clock != "":
		return one(pl.clock(ctx, i, e.Clock))
	case e.Cancel != nil:
		return one(pl.cancel(ctx, i, *e.Cancel))
	case e.ChangePlan != nil:
		return one(pl.changePlan(ctx, i, *e.ChangePlan, e.As))
	case e.UpdateCustomer != nil:
		return one(pl.updateCustomer(ctx, i, e.UpdateCustomer))
	case e.Events != nil:
		return one(pl.events(ctx, i, e.Events, e.Rejected))
	case e.Finalize != nil:
		return one(pl.lifecycle(ctx, i, "finalize", *e.Finalize))
	case e.Void != nil:
		return one(pl.lifecycle(ctx, i, "void", *e.Void))
	case e.Regenerate != nil:
		return one(pl.lifecycle(ctx, i, "regenerate", *e.Regenerate))
	case e.CreditGrant != nil:
		return one(pl.creditGrant(ctx, i, e.CreditGrant, e.As))
	case e.CreditBalance != nil:
		return one(pl.creditBalance(ctx, i, *e.CreditBalance))
	case e.Billed != nil:
		return one(pl.billed(ctx, i, *e.Billed))
	case e.Compare != nil:
		return one(pl.advisor(ctx, i, "compare", e.Compare, e.Reply))
	case e.BreakEven != nil:
		return one(pl.advisor(ctx, i, "break_even", e.BreakEven, e.Reply))
	case e.Invoices != nil:
		return pl.checkInvoices(ctx, i, e.Invoices)
	}
	return one(Check{Name: fmt.Sprintf("expect[%d]", i), Detail: "unknown entry: no expectation or step this runner knows"})
}

// done turns an error into a check.
func done(name string, err error) Check {
	if err != nil {
		return Check{Name: name, Detail: err.Error()}
	}
	return Check{Name: name, OK: true}
}

func (pl *player) clock(ctx context.Context, i int, now string) Check {
	return done(fmt.Sprintf("expect[%d] clock %s", i, now), pl.c.do(ctx, "PUT", "/v1/test_clock", map[string]string{"now": now}, nil))
}

func (pl *player) sub(ref string) (string, error) {
	id, ok := pl.subs[ref]
	if !ok {
		return "", fmt.Errorf("no subscription with ref %q", ref)
	}
	return id, nil
}

func (pl *player) customer(ctx context.Context, externalID string) (string, error) {
	if id, ok := pl.customers[externalID]; ok {
		return id, nil
	}
	var page struct {
		Data []struct {
			ID         string `json:"id"`
			ExternalID string `json:"external_id"`
		} `json:"data"`
	}
	if err := pl.c.do(ctx, "GET", "/v1/customers?limit=500", nil, &page); err != nil {
		return "", err
	}
	for _, c := range page.Data {
		pl.customers[c.ExternalID] = c.ID
	}
	if id, ok := pl.customers[externalID]; ok {
		return id, nil
	}
	return "", fmt.Errorf("no customer with external_id %q", externalID)
}

func (pl *player) cancel(ctx context.Context, i int, st CancelStep) Check {
	name := fmt.Sprintf("expect[%d] cancel %s at %s", i, st.Subscription, st.At)
	id, err := pl.sub(st.Subscription)
	if err != nil {
		return done(name, err)
	}
	body := map[string]any{"at": st.At}
	if st.At == "" {
		body["at"] = "now"
	}
	if st.Prorate != nil {
		body["prorate"] = *st.Prorate
	}
	return done(name, pl.c.do(ctx, "POST", "/v1/subscriptions/"+id+"/cancel", body, nil))
}

func (pl *player) changePlan(ctx context.Context, i int, st ChangePlanStep, as string) Check {
	name := fmt.Sprintf("expect[%d] change_plan %s to %s at %s", i, st.Subscription, st.Plan, st.At)
	id, err := pl.sub(st.Subscription)
	if err != nil {
		return done(name, err)
	}
	body := map[string]any{"plan": st.Plan, "at": st.At}
	if st.At == "" {
		body["at"] = "now"
	}
	var res struct {
		Successor *struct {
			ID string `json:"id"`
		} `json:"new_subscription"`
	}
	if err := pl.c.do(ctx, "POST", "/v1/subscriptions/"+id+"/change_plan", body, &res); err != nil {
		return done(name, err)
	}
	if as != "" {
		if res.Successor == nil {
			return done(name, fmt.Errorf("the reply names no new_subscription for %q", as))
		}
		pl.subs[as] = res.Successor.ID
	}
	return done(name, nil)
}

func (pl *player) updateCustomer(ctx context.Context, i int, raw json.RawMessage) Check {
	var body map[string]json.RawMessage
	if err := json.Unmarshal(raw, &body); err != nil {
		return done(fmt.Sprintf("expect[%d] update_customer", i), err)
	}
	var ext string
	_ = json.Unmarshal(body["customer"], &ext)
	delete(body, "customer")
	name := fmt.Sprintf("expect[%d] update_customer %s", i, ext)
	id, err := pl.customer(ctx, ext)
	if err != nil {
		return done(name, err)
	}
	return done(name, pl.c.do(ctx, "PATCH", "/v1/customers/"+id, body, nil))
}

// sent is what a series of batches did.
type sent struct {
	accepted, duplicates int
	rejected             []string
}

// send posts events in batches of BatchSize.
func (pl *player) send(ctx context.Context, all []json.RawMessage) (sent, error) {
	var out sent
	for start := 0; start < len(all); start += BatchSize {
		end := min(start+BatchSize, len(all))
		var res struct {
			Accepted   int `json:"accepted"`
			Duplicates int `json:"duplicates"`
			Rejected   []struct {
				Index int             `json:"index"`
				Error json.RawMessage `json:"error"`
			} `json:"rejected"`
		}
		if err := pl.c.do(ctx, "POST", "/v1/events/batch", map[string]any{"events": all[start:end]}, &res); err != nil {
			return out, fmt.Errorf("events %d-%d: %w", start, end-1, err)
		}
		out.accepted += res.Accepted
		out.duplicates += res.Duplicates
		for _, r := range res.Rejected {
			out.rejected = append(out.rejected, fmt.Sprintf("event %d: %s", start+r.Index, r.Error))
		}
	}
	return out, nil
}

func (pl *player) events(ctx context.Context, i int, evs []json.RawMessage, rejected int) Check {
	name := fmt.Sprintf("expect[%d] %d events", i, len(evs))
	res, err := pl.send(ctx, evs)
	if err != nil {
		return done(name, err)
	}
	if len(res.rejected) != rejected {
		return done(name, fmt.Errorf("%d rejected, the file expects %d: %s", len(res.rejected), rejected, strings.Join(res.rejected, "; ")))
	}
	return done(name, nil)
}

// find returns the one invoice of ref's subscription with its reason and
// period start that also passes keep.
func (pl *player) find(ctx context.Context, ref InvoiceRef, keep func(invoice) bool) (invoice, error) {
	id, err := pl.sub(ref.Subscription)
	if err != nil {
		return invoice{}, err
	}
	want, err := time.Parse(time.RFC3339Nano, ref.PeriodStart)
	if err != nil {
		return invoice{}, fmt.Errorf("period_start: %w", err)
	}
	invs, err := listInvoices(ctx, pl.c, id)
	if err != nil {
		return invoice{}, err
	}
	var match []invoice
	for _, inv := range invs {
		ps, err := time.Parse(time.RFC3339Nano, inv.PeriodStart)
		if err == nil && inv.BillingReason == ref.BillingReason && ps.Equal(want) && keep(inv) {
			match = append(match, inv)
		}
	}
	if len(match) != 1 {
		return invoice{}, fmt.Errorf("found %d such invoices, want exactly 1", len(match))
	}
	return match[0], nil
}

// lifecycle finalizes or voids the period's invoice that is not void, or
// regenerates its void one that has no replacement yet.
func (pl *player) lifecycle(ctx context.Context, i int, action string, ref InvoiceRef) Check {
	name := fmt.Sprintf("expect[%d] %s %s %s from %s", i, action, ref.Subscription, ref.BillingReason, ref.PeriodStart)
	keep := func(inv invoice) bool { return inv.Status != "void" }
	if action == "regenerate" {
		keep = func(inv invoice) bool { return inv.Status == "void" && inv.ReplacedBy == "" }
	}
	inv, err := pl.find(ctx, ref, keep)
	if err != nil {
		return done(name, err)
	}
	return done(name, pl.c.do(ctx, "POST", "/v1/invoices/"+inv.ID+"/"+action, nil, nil))
}

func (pl *player) creditGrant(ctx context.Context, i int, raw json.RawMessage, as string) Check {
	var body map[string]json.RawMessage
	if err := json.Unmarshal(raw, &body); err != nil {
		return done(fmt.Sprintf("expect[%d] credit_grant", i), err)
	}
	var ext string
	_ = json.Unmarshal(body["customer"], &ext)
	delete(body, "customer")
	name := fmt.Sprintf("expect[%d] credit_grant to %s", i, ext)
	id, err := pl.customer(ctx, ext)
	if err != nil {
		return done(name, err)
	}
	var res struct {
		ID string `json:"id"`
	}
	if err := pl.c.do(ctx, "POST", "/v1/customers/"+id+"/credit_grants", body, &res); err != nil {
		return done(name, err)
	}
	if as != "" {
		pl.grants[as] = res.ID
	}
	return done(name, nil)
}

// creditBalance reads the balance and compares each figure the entry gives
// for its unit (empty: the customer's currency, money).
func (pl *player) creditBalance(ctx context.Context, i int, e BalanceExpect) Check {
	name := fmt.Sprintf("expect[%d] credit_balance of %s at %s", i, e.Customer, e.At)
	id, err := pl.customer(ctx, e.Customer)
	if err != nil {
		return done(name, err)
	}
	path := "/v1/customers/" + id + "/credit_balance"
	if e.At != "" {
		path += "?at=" + url.QueryEscape(e.At)
	}
	var raw json.RawMessage
	if err := pl.c.do(ctx, "GET", path, nil, &raw); err != nil {
		return done(name, err)
	}
	units, err := balanceUnits(raw)
	if err != nil {
		return done(name, err)
	}
	var got map[string]json.RawMessage
	for _, u := range units {
		var unit string
		_ = json.Unmarshal(u["unit"], &unit)
		if strings.EqualFold(unit, e.Unit) {
			got = u
		}
	}
	if got == nil {
		return done(name, fmt.Errorf("no balance for unit %q in %s", e.Unit, raw))
	}
	var bad []string
	for field, want := range map[string]string{"remaining": e.Remaining, "granted": e.Granted, "used": e.Used, "pending": e.Pending, "expired": e.Expired} {
		if want == "" {
			continue
		}
		var have string
		if err := json.Unmarshal(got[field], &have); err != nil {
			have = strings.Trim(string(got[field]), `"`)
		}
		h, err1 := decimal.NewFromString(have)
		w, err2 := decimal.NewFromString(want)
		if err1 != nil || err2 != nil || !h.Equal(w) {
			bad = append(bad, fmt.Sprintf("%s %s, want %s", field, have, want))
		}
	}
	if len(bad) > 0 {
		return done(name, fmt.Errorf("%s", strings.Join(bad, "; ")))
	}
	return done(name, nil)
}

// balanceUnits accepts {"data": [...]}, a bare array or one object.
func balanceUnits(raw json.RawMessage) ([]map[string]json.RawMessage, error) {
	var env struct {
		Data []map[string]json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &env); err == nil && env.Data != nil {
		return env.Data, nil
	}
	var list []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &list); err == nil {
		return list, nil
	}
	var one map[string]json.RawMessage
	if err := json.Unmarshal(raw, &one); err != nil {
		return nil, fmt.Errorf("unreadable balance: %s", raw)
	}
	return []map[string]json.RawMessage{one}, nil
}

func (pl *player) billed(ctx context.Context, i int, e BilledExpect) Check {
	name := fmt.Sprintf("expect[%d] billed %s", i, e.Subscription)
	id, err := pl.sub(e.Subscription)
	if err != nil {
		return done(name, err)
	}
	invs, err := listInvoices(ctx, pl.c, id)
	if err != nil {
		return done(name, err)
	}
	sum := decimal.Zero
	var parts []string
	for _, inv := range invs {
		if inv.Status == "void" {
			continue
		}
		t, err := decimal.NewFromString(inv.Total)
		if err != nil {
			return done(name, fmt.Errorf("invoice %s total %q", inv.ID, inv.Total))
		}
		sum = sum.Add(t)
		parts = append(parts, fmt.Sprintf("%s %s %s", inv.BillingReason, inv.PeriodStart, inv.Total))
	}
	want, err := decimal.NewFromString(e.Total)
	if err != nil {
		return done(name, fmt.Errorf("total %q is not a decimal", e.Total))
	}
	if !sum.Equal(want) {
		return done(name, fmt.Errorf("billed %s, want %s (%s)", sum, e.Total, strings.Join(parts, ", ")))
	}
	return done(name, nil)
}
