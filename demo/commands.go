package demo

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tallyhq/tally/domain"
)

// Command is one request to try, as a curl line and as its parts.
type Command struct {
	Title  string
	Method string
	Path   string // with the query string
	Key    string // bearer key
	Body   string // JSON, "" for none
}

// Curl is the command as a copy-pasteable curl line.
func (c Command) Curl(baseURL string) string {
	var b strings.Builder
	b.WriteString("curl -s ")
	if c.Method != "GET" {
		b.WriteString("-X " + c.Method + " ")
	}
	url := baseURL + c.Path
	if strings.ContainsAny(url, "?&") {
		url = "'" + url + "'"
	}
	b.WriteString(url)
	b.WriteString(` -H "Authorization: Bearer ` + c.Key + `"`)
	if c.Body != "" {
		b.WriteString(` -H "Content-Type: application/json" -d '` + c.Body + `'`)
	}
	return b.String()
}

// featured is the customer the example commands use, with its usage
// profile.
func featured(d Data, res Result) (Customer, UsageSpec, bool) {
	c, ok := res.Customer(res.Featured)
	if !ok || c.SubscriptionID == "" {
		return Customer{}, UsageSpec{}, false
	}
	for _, u := range d.Usage {
		if u.Customer == c.ExternalID {
			return c, u, true
		}
	}
	return Customer{}, UsageSpec{}, false
}

// commands are the requests the welcome text suggests.
func commands(d Data, res Result) []Command {
	cmds := []Command{
		{Title: "the plans: O1 token packages, per-execution tiers, BYOK Pro, per-model rates, EUR and JPY plans", Method: "GET", Path: "/v1/plans", Key: res.AdminKey},
		{Title: "the customers, in their time zones and currencies", Method: "GET", Path: "/v1/customers", Key: res.AdminKey},
		{Title: "their subscriptions, with the current billing period", Method: "GET", Path: "/v1/subscriptions", Key: res.AdminKey},
	}
	if c, u, ok := featured(d, res); ok {
		cmds = append(cmds, featuredCommands(d, res, c, u)...)
	}
	if len(res.Invoices) > 0 {
		cmds = append(cmds, Command{Title: "the invoices the invoice run drafted for the periods that have ended", Method: "GET",
			Path: "/v1/invoices", Key: res.AdminKey})
	}
	if inv, ok := res.Invoice(res.Finalized); ok {
		cmds = append(cmds, Command{Title: fmt.Sprintf("the finalized invoice %s, line by line", inv.Number), Method: "GET",
			Path: "/v1/invoices/" + inv.ID, Key: res.AdminKey})
	}
	for _, g := range d.CreditGrants {
		if c, ok := res.Customer(g.Customer); ok && g.Amount != nil {
			cur := domain.Currency(c.Currency)
			cmds = append(cmds, Command{Title: fmt.Sprintf("%s's credit balance (%s %s of %s)", c.Name, cur.Format(*g.Amount), cur, strings.ToLower(g.Name)),
				Method: "GET", Path: "/v1/customers/" + c.ID + "/credit_balance", Key: res.AdminKey})
			break
		}
	}
	return cmds
}

// featuredCommands send an event for the featured customer and show its
// usage and its proposed invoice.
func featuredCommands(d Data, res Result, c Customer, u UsageSpec) []Command {
	meter := ""
	for _, p := range append(append([]PlanSpec(nil), d.Plans...), d.LocalPlans...) {
		if p.Key != c.Plan {
			continue
		}
		for _, pr := range p.Prices {
			if pr.Meter != "" {
				meter = pr.Meter
				break
			}
		}
	}
	props := map[string]any{}
	for k, v := range u.Mix[0].Properties {
		props[k] = v
	}
	if q := u.Mix[0].Quantity; q != nil {
		props[q.Field] = q.Max
	}
	body, _ := json.Marshal(struct {
		ID         string         `json:"id"`
		EventName  string         `json:"event_name"`
		Customer   string         `json:"customer"`
		Properties map[string]any `json:"properties"`
	}{"hello-" + c.ExternalID + "-1", u.EventName, c.ExternalID, props})
	cmds := []Command{{Title: "send an event with the ingest key (the same id is counted once, however often it is sent)",
		Method: "POST", Path: "/v1/events", Key: res.IngestKey, Body: string(body)}}
	if meter != "" {
		cmds = append(cmds, Command{Title: fmt.Sprintf("%s's daily usage of %s over the last 30 days", c.Name, meter),
			Method: "GET", Path: "/v1/customers/" + c.ID + "/usage?meter=" + meter + "&granularity=day", Key: res.AdminKey})
	}
	return append(cmds, Command{Title: fmt.Sprintf("the invoice %s's current period would close with if no more usage came", c.Name),
		Method: "GET", Path: "/v1/subscriptions/" + c.SubscriptionID + "/proposed_invoice", Key: res.AdminKey})
}

// shellCommands are the `tally invoice` lines that read the demo database
// (while the demo runs, or after it with --db).
func shellCommands(dbPath string, res Result) []string {
	env := "TALLY_DATABASE_URL=sqlite://" + dbPath
	if strings.ContainsAny(dbPath, " '\"$\\") {
		env = "TALLY_DATABASE_URL='sqlite://" + strings.ReplaceAll(dbPath, "'", `'\''`) + "'"
	}
	lines := []string{env + " tally invoice list --tenant " + res.TenantID}
	if res.Finalized != "" {
		lines = append(lines, env+" tally invoice show "+res.Finalized)
	}
	return lines
}
