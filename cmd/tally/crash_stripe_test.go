package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
)

// TestCrashDuringStripeSyncLeavesOneStripeInvoicePerInvoice syncs 40
// invoices (3 lines each; half finalized) to Stripe — stripe-mock behind
// stripeState, which keeps Stripe's objects and its idempotency — from four
// workers calling POST /v1/invoices/{id}/sync, while the server is killed
// with SIGKILL four times. Each worker repeats a sync until it answers 200.
// Afterwards Stripe holds exactly one invoice per Tally invoice, with
// exactly one live item per line at the line's amount in cents, finalized
// exactly when the Tally invoice is, and Tally records that invoice's id.
func TestCrashDuringStripeSyncLeavesOneStripeInvoicePerInvoice(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	t.Parallel()
	mock := startStripeMock(t)
	bin := sharedTally(t)
	const subs, months, kills, workers = 10, 4, 4, 4
	state, base := newStripeState(t, mock, 30*time.Millisecond)
	p := newCrashProc(t, bin, "TALLY_DATABASE_URL="+storetest.URL(t, store.Postgres), "TALLY_ROOT_KEY=root",
		"STRIPE_API_KEY=sk_test_crash", "STRIPE_API_BASE="+base, "STRIPE_MAX_RETRIES=2")
	key := crashTenant(t, p, "stripe")
	p.must(201, "POST", "/v1/plans", key, `{"key":"p","currency":"USD","interval":"month","prices":[
		{"key":"base","type":"fixed","model":"flat","amount":"19.00","cadence":"arrear"},
		{"key":"support","type":"fixed","model":"flat","amount":"5.50","cadence":"arrear"},
		{"key":"seats","type":"fixed","model":"flat","amount":"7.25","cadence":"arrear"}]}`, nil)
	for i := 0; i < subs; i++ {
		p.must(201, "POST", "/v1/customers", key, fmt.Sprintf(`{"external_id":"s%d","currency":"USD"}`, i), nil)
		p.must(201, "POST", "/v1/subscriptions", key, fmt.Sprintf(`{"customer":"s%d","plan":"p","start_at":"2026-01-01T00:00:00Z"}`, i), nil)
	}
	p.must(201, "POST", "/v1/invoice_runs", key, `{"as_of":"2026-05-01T00:00:00Z","wait":true}`, nil)
	invoices := allInvoices(t, p, key)
	if len(invoices) != subs*months {
		t.Fatalf("%d invoices, want %d", len(invoices), subs*months)
	}
	for i, inv := range invoices {
		if i%2 == 0 {
			p.must(200, "POST", "/v1/invoices/"+inv.ID+"/finalize", key, "", nil)
		}
	}
	queue := make(chan string, len(invoices))
	for _, inv := range invoices {
		queue <- inv.ID
	}
	close(queue)
	var synced, attempts, failed atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range queue {
				for {
					attempts.Add(1)
					st, _, err := p.send("POST", "/v1/invoices/"+id+"/sync", key, "")
					if err == nil && st == 200 {
						synced.Add(1)
						break
					}
					failed.Add(1)
					time.Sleep(20 * time.Millisecond)
				}
			}
		}()
	}
	for k := 1; k <= kills; k++ {
		for synced.Load() < int64(len(invoices)*k/(kills+1)) {
			time.Sleep(2 * time.Millisecond)
		}
		time.Sleep(time.Duration(rand.IntN(30)) * time.Millisecond)
		p.killAndRestart()
	}
	wg.Wait()

	final := allInvoices(t, p, key)
	held := state.byTallyInvoice()
	var dupes, wrong int
	for _, inv := range final {
		got := held[inv.ID]
		if len(got) != 1 {
			dupes++
			t.Errorf("invoice %s: %d Stripe invoices, want 1", inv.ID, len(got))
			continue
		}
		si := got[0]
		var want []string
		var have []string
		for pos, l := range inv.Lines {
			want = append(want, fmt.Sprintf("%d:%s", pos, decimal.RequireFromString(l.Amount).Shift(2).String()))
			have = append(have, fmt.Sprintf("%d:%d", pos, si.amounts[pos]))
		}
		wantStatus := map[string]string{"draft": "draft", "finalized": "open"}[inv.Status]
		if si.items != len(inv.Lines) || strings.Join(want, ",") != strings.Join(have, ",") || si.status != wantStatus {
			wrong++
			t.Errorf("invoice %s (%s): Stripe %s has %d items %v status %s, want %v status %s", inv.ID, inv.Status, si.id, si.items, have, si.status, want, wantStatus)
		}
	}
	for _, inv := range final {
		var one struct {
			StripeInvoiceID *string `json:"stripe_invoice_id"`
		}
		p.must(200, "GET", "/v1/invoices/"+inv.ID, key, "", &one)
		if got := held[inv.ID]; len(got) == 1 && (one.StripeInvoiceID == nil || *one.StripeInvoiceID != got[0].id) {
			t.Errorf("invoice %s records Stripe invoice %v, Stripe holds %s", inv.ID, one.StripeInvoiceID, got[0].id)
		}
	}
	state.mu.Lock()
	calls, replays, refused, refusals, lost := state.calls, state.replays, state.refused, state.refusals, state.lost
	state.mu.Unlock()
	t.Logf("kills %d; invoices %d (%d finalized); sync requests %d (%d refused or cut while the server was down); Stripe calls %d (done with the answer lost to a kill %d), answered from the idempotency cache %d, refused by stripe-mock %d; Stripe invoices per Tally invoice ≠ 1: %d, with wrong items or status: %d",
		p.kills, len(final), (len(final)+1)/2, attempts.Load(), failed.Load(), calls, lost, replays, refused, dupes, wrong)
	if refused != 0 {
		t.Errorf("stripe-mock refused %d requests, first: %s", refused, refusals[0])
	}
	if len(held) != len(final) {
		t.Errorf("Stripe holds invoices for %d Tally invoices, want %d", len(held), len(final))
	}
	if p.kills != kills {
		t.Errorf("%d kills, want %d", p.kills, kills)
	}
}
