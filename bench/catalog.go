package bench

import (
	"context"
	"fmt"
	"time"
)

// planKey is the plan every bench subscribes its customers to: a monthly
// USD plan with a flat fee in advance, a flat fee in arrears, a per-call
// price and a per-token price of model "a" events only.
const planKey = "bench"

// catalog creates the meters (calls: count; tokens: sum of tokens) and the
// plan.
func (h *harness) catalog(ctx context.Context, t tenant) error {
	for _, m := range []string{
		`{"key":"calls","event_name":"` + eventName + `","aggregation":{"type":"count"}}`,
		`{"key":"tokens","event_name":"` + eventName + `","aggregation":{"type":"sum","field":"tokens"}}`,
	} {
		if err := h.do(ctx, "POST", "/v1/meters", t.Admin, []byte(m), 201, nil); err != nil {
			return err
		}
	}
	plan := `{"key":"` + planKey + `","currency":"USD","interval":"month","prices":[
		{"key":"base","type":"fixed","model":"flat","amount":"10.00","cadence":"advance"},
		{"key":"support","type":"fixed","model":"flat","amount":"5.00","cadence":"arrear"},
		{"key":"calls","type":"usage","meter":"calls","model":"per_unit","amount":"0.001"},
		{"key":"tokens_a","type":"usage","meter":"tokens","model":"per_unit","amount":"0.0001","filters":{"model":["a"]}}]}`
	return h.do(ctx, "POST", "/v1/plans", t.Admin, []byte(plan), 201, nil)
}

// customer creates a USD customer and returns its id.
func (h *harness) customer(ctx context.Context, t tenant, externalID string) (string, error) {
	var c struct {
		ID string `json:"id"`
	}
	err := h.do(ctx, "POST", "/v1/customers", t.Admin, map[string]string{"external_id": externalID, "currency": "USD"}, 201, &c)
	return c.ID, err
}

// subscribe subscribes the customer to the bench plan from start and
// returns the subscription id.
func (h *harness) subscribe(ctx context.Context, t tenant, externalID string, start time.Time) (string, error) {
	var s struct {
		ID string `json:"id"`
	}
	err := h.do(ctx, "POST", "/v1/subscriptions", t.Admin,
		map[string]string{"customer": externalID, "plan": planKey, "start_at": start.UTC().Format(time.RFC3339)}, 201, &s)
	return s.ID, err
}

// invoice is the part of an invoice reply the benches read.
type invoice struct {
	Lines []struct {
		PriceKey string `json:"price_key"`
		Quantity string `json:"quantity"`
	} `json:"lines"`
	Total string `json:"total"`
}

// quantity is the quantity of the invoice's line of price key.
func (inv invoice) quantity(key string) (string, error) {
	for _, l := range inv.Lines {
		if l.PriceKey == key {
			return l.Quantity, nil
		}
	}
	return "", fmt.Errorf("the invoice has no line of price %q", key)
}

// customerIDs are the external ids c0, c1, … of n customers.
func customerIDs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("c%d", i)
	}
	return out
}

// subscribed is what a bench on one subscribed customer starts from.
type subscribed struct {
	tenant   tenant
	customer string // the first customer's id (its external id is ext)
	sub      string // its subscription's id
	from, to time.Time
}

// subscribedCustomer creates a tenant named name with the bench catalog,
// the customer ext and its subscription starting at the current window's
// start (currentWindow): the common start of ingest, preview and balance.
func (h *harness) subscribedCustomer(ctx context.Context, name, ext string) (subscribed, error) {
	t, err := h.newTenant(ctx, name)
	if err != nil {
		return subscribed{}, err
	}
	if err := h.catalog(ctx, t); err != nil {
		return subscribed{}, err
	}
	from, to := currentWindow(time.Now())
	cust, err := h.customer(ctx, t, ext)
	if err != nil {
		return subscribed{}, err
	}
	sub, err := h.subscribe(ctx, t, ext, from)
	if err != nil {
		return subscribed{}, err
	}
	return subscribed{tenant: t, customer: cust, sub: sub, from: from, to: to}, nil
}
