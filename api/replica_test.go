package api_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/app/apptest"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
)

// snapshotSchema copies every table of the server's Postgres schema into a
// new schema, as a replica that stopped replicating at this moment would
// hold them, and returns its URL.
func snapshotSchema(t *testing.T, s *apptest.Server) string {
	t.Helper()
	db := s.App.DB
	var primary string
	if err := db.Gorm.Raw("SELECT current_schema()").Scan(&primary).Error; err != nil {
		t.Fatal(err)
	}
	replica := primary + "_replica"
	var tables []string
	if err := db.Gorm.Raw("SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND table_type = 'BASE TABLE'", primary).Scan(&tables).Error; err != nil {
		t.Fatal(err)
	}
	stmts := []string{"CREATE SCHEMA " + replica}
	for _, tb := range tables {
		stmts = append(stmts, "CREATE TABLE "+replica+"."+tb+" AS SELECT * FROM "+primary+"."+tb)
	}
	for _, q := range stmts {
		if err := db.Gorm.Exec(q).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	t.Cleanup(func() { _ = db.Gorm.Exec("DROP SCHEMA " + replica + " CASCADE").Error })
	return strings.Replace(db.URL, "search_path="+primary, "search_path="+replica, 1)
}

// With a read replica attached, the live views (proposed invoices, usage
// series) read usage from it — here a replica lagging by five events —
// while everything that bills or lists reads the primary: an invoice run
// drafts all fifteen events.
func TestLiveViewsReadTheReplicaAndBillingReadsThePrimary(t *testing.T) {
	storetest.RequirePostgres(t)
	s := apptest.Start(t, store.Postgres, now)
	f := newFixture(t, s, "replica")
	f.countMeter("calls", "api.call")
	f.create("/v1/plans", obj{"key": "calls", "currency": "USD", "interval": "month",
		"prices": list{obj{"key": "call", "type": "usage", "meter": "calls", "model": "per_unit", "amount": "1"}}})
	cus := f.customer("acme", "USD")
	sub := f.create("/v1/subscriptions", obj{"customer": "acme", "plan": "calls", "start_at": "2026-03-01T00:00:00Z"})["id"].(string)
	send := func(from, n int) {
		var evs []any
		for i := from; i < from+n; i++ {
			evs = append(evs, event("e"+string(rune('a'+i)), "api.call", "acme", now.Add(-time.Duration(i+1)*time.Hour), nil))
		}
		f.batch(evs...)
	}
	calls := func(path string) string {
		inv := must(t, s, 200, "GET", path, f.key, nil).JSON(t)
		for _, l := range inv["lines"].([]any) {
			if l := l.(map[string]any); l["price_key"] == "call" {
				return l["quantity"].(string)
			}
		}
		t.Fatalf("no call line in %v", inv)
		return ""
	}
	send(0, 10)
	replicaURL := snapshotSchema(t, s)
	if err := s.App.DB.AttachReplica(context.Background(), replicaURL); err != nil {
		t.Fatal(err)
	}
	send(10, 5) // the replica never sees these

	if got := calls("/v1/subscriptions/" + sub + "/proposed_invoice"); got != "10" {
		t.Errorf("the proposed invoice counts %s calls; from the lagging replica it must count 10", got)
	}
	usage := must(t, s, 200, "GET", "/v1/customers/"+cus+"/usage"+q("meter", "calls", "from", "2026-03-01T00:00:00Z", "to", "2026-03-11T00:00:00Z", "granularity", "day"), f.key, nil).JSON(t)
	total := 0
	for _, pt := range usage["data"].([]any) {
		v := pt.(map[string]any)["value"].(string)
		n, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("usage value %q", v)
		}
		total += n
	}
	if total != 10 {
		t.Errorf("the usage series totals %d; from the replica it must total 10", total)
	}
	// The portal's overview (a live view) shows the credit balance too; a
	// balance is never computed from the replica, nor cached from it.
	f.create("/v1/customers/"+cus+"/credit_grants", obj{"amount": "50.00"})
	tok := f.create("/v1/customers/"+cus+"/portal_tokens", obj{})
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	res, err := browser.Get(tok["url"].(string))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(page), "35.00") {
		t.Errorf("the portal overview answered %d without the balance of $35.00 (50 − 15 calls)", res.StatusCode)
	}
	bal := must(t, s, 200, "GET", "/v1/customers/"+cus+"/credit_balance", f.key, nil).JSON(t)
	if got := bal["data"].([]any)[0].(map[string]any)["remaining"]; got != "35.00" {
		t.Errorf("the credit balance after the portal page is %v; want 35.00, from the primary", got)
	}

	must(t, s, 201, "POST", "/v1/invoice_runs", f.key, obj{"as_of": "2026-04-01T01:00:00Z", "wait": true})
	invs := must(t, s, 200, "GET", "/v1/invoices"+q("subscription", sub), f.key, nil).JSON(t)["data"].([]any)
	if len(invs) != 1 {
		t.Fatalf("invoices %v, want March's draft", invs)
	}
	if got := calls("/v1/invoices/" + invs[0].(map[string]any)["id"].(string)); got != "15" {
		t.Errorf("the invoice run drafted %s calls; it must read all 15 from the primary", got)
	}
}
