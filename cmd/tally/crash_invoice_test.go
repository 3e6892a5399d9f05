package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
	"github.com/tallyhq/tally/webhooks"
)

// TestCrashDuringInvoiceRunsAndWebhookDelivery kills the server with
// SIGKILL three times while invoice runs draft 600 invoices (50 monthly
// subscriptions × 12 periods, in pages of one subscription) and twice more while the invoice.created
// webhooks of those invoices are being delivered to two endpoints of a local
// receiver (the scheduler's dispatcher every second). After a final run on
// a fresh process:
//   - every period has exactly one non-void invoice, and the final run both
//     created some and found some (the kills landed mid-run);
//   - every delivery of both endpoints is delivered, every event id the
//     outbox holds reached its endpoint at least once with the same id in
//     the header and the body and a valid signature;
//   - there is exactly one invoice.created event per invoice that exists
//     and none for an invoice that does not (drafts of a killed, rolled-back
//     transaction left no event behind).
func TestCrashDuringInvoiceRunsAndWebhookDelivery(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	t.Parallel()
	bin := sharedTally(t)
	for _, d := range []store.Dialect{store.Postgres, store.SQLite} {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			const subs, periods = 50, 12
			rec := newHookReceiver(t)
			p := newCrashProc(t, bin, "TALLY_DATABASE_URL="+storetest.URL(t, d), "TALLY_ROOT_KEY=root",
				"TALLY_SCHEDULER=on", "TALLY_WEBHOOK_SCHEDULE=@every 1s",
				// Pages of one subscription (12 invoices a transaction):
				// a run of 50 pages, so that a kill can land between them.
				"TALLY_RUN_PAGE_SIZE=1",
				// No scheduled invoice run or finalization during the test.
				"TALLY_INVOICE_SCHEDULE=0 0 1 1 *", "TALLY_FINALIZE_SCHEDULE=0 0 1 1 *")
			key := crashTenant(t, p, "runs")
			for i := 0; i < 2; i++ {
				var ep struct {
					ID     string `json:"id"`
					Secret string `json:"secret"`
				}
				p.must(201, "POST", "/v1/webhook_endpoints", key, fmt.Sprintf(`{"url":%q,"events":["invoice.created"]}`, rec.url(i)), &ep)
				rec.secret(i, ep.Secret)
			}
			p.must(201, "POST", "/v1/plans", key, `{"key":"p","currency":"USD","interval":"month","prices":[{"key":"base","type":"fixed","model":"flat","amount":"5","cadence":"arrear"}]}`, nil)
			for i := 0; i < subs; i++ {
				p.must(201, "POST", "/v1/customers", key, fmt.Sprintf(`{"external_id":"c%d","currency":"USD"}`, i), nil)
				p.must(201, "POST", "/v1/subscriptions", key, fmt.Sprintf(`{"customer":"c%d","plan":"p","start_at":"2025-01-01T00:00:00Z"}`, i), nil)
			}
			const run = `{"as_of":"2026-01-01T00:00:00Z"}`
			// Three kills mid-run: a run is started, and the server dies
			// once it has stored its first page (the first time), or
			// 10–60 ms later (then: a page takes a few milliseconds).
			for k := 0; k < 3; k++ {
				p.must(202, "POST", "/v1/invoice_runs", key, run, nil)
				if k == 0 {
					for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
						var page struct{ Data []any }
						p.must(200, "GET", "/v1/invoices?limit=1", key, "", &page)
						if len(page.Data) > 0 {
							break
						}
					}
				} else {
					time.Sleep(time.Duration(10+rand.IntN(50)) * time.Millisecond)
				}
				p.killAndRestart()
			}
			var final struct {
				Status   string `json:"status"`
				Created  int    `json:"invoices_created"`
				Existing int    `json:"invoices_existing"`
			}
			p.must(201, "POST", "/v1/invoice_runs", key, `{"as_of":"2026-01-01T00:00:00Z","wait":true}`, &final)
			// Two kills while the backlog of webhooks is delivered.
			for k := 1; k <= 2; k++ {
				deadline := time.Now().Add(30 * time.Second)
				for rec.distinct() < k*subs*periods*2/3/2 && time.Now().Before(deadline) {
					time.Sleep(5 * time.Millisecond)
				}
				p.killAndRestart()
			}
			invoices := allInvoices(t, p, key)
			found := onePerPeriod(t, invoices)
			t.Logf("%s: kills %d; final run %s: %d created, %d existing; periods %d, invoices found %d (non-void, one per period)",
				d, p.kills, final.Status, final.Created, final.Existing, subs*periods, found)
			if final.Status != "completed" || final.Created == 0 || final.Existing == 0 || final.Created+final.Existing != subs*periods {
				t.Errorf("final run %+v: want completed, created and existing both > 0, %d in all", final, subs*periods)
			}
			if found != subs*periods || len(invoices) != subs*periods {
				t.Errorf("%d periods invoiced (%d invoices), want %d", found, len(invoices), subs*periods)
			}
			exists := map[string]bool{}
			for _, inv := range invoices {
				exists[inv.ID] = true
			}
			// Every delivery is delivered in the end; a delivery claimed by
			// a killed process waits out its lease (the request timeout and
			// a minute) first.
			var eps struct {
				Data []struct{ ID, URL string } `json:"data"`
			}
			p.must(200, "GET", "/v1/webhook_endpoints", key, "", &eps)
			waitStart := time.Now()
			for _, ep := range eps.Data {
				i := rec.index(ep.URL)
				var pending int
				var outbox map[string]bool
				for deadline := time.Now().Add(150 * time.Second); ; {
					outbox, pending = deliveries(t, p, key, ep.ID)
					if pending == 0 || time.Now().After(deadline) {
						break
					}
					time.Sleep(500 * time.Millisecond)
				}
				if pending != 0 {
					t.Errorf("endpoint %d: %d deliveries still not delivered", i, pending)
				}
				got := rec.events(i)
				var missing, unknown, redelivered, forGone int
				perInvoice := map[string]int{}
				for id := range outbox {
					h, ok := got[id]
					if !ok {
						missing++
						continue
					}
					if h.count > 1 {
						redelivered++
					}
					if !exists[h.invoice] {
						forGone++
					}
					perInvoice[h.invoice]++
				}
				for id := range got {
					if !outbox[id] {
						unknown++
					}
				}
				var twice int
				for _, n := range perInvoice {
					if n != 1 {
						twice++
					}
				}
				t.Logf("%s endpoint %d: events in the outbox %d, received %d (%d requests, %d received more than once), missing %d, unknown %d, for no invoice %d, invoices with ≠1 event %d",
					d, i, len(outbox), len(got), rec.requests(i), redelivered, missing, unknown, forGone, twice)
				if missing != 0 || unknown != 0 || forGone != 0 || twice != 0 || len(perInvoice) != len(invoices) || len(outbox) != len(invoices) {
					t.Errorf("endpoint %d: %d events for %d invoices (want one each), missing %d, unknown %d, for no invoice %d", i, len(outbox), len(invoices), missing, unknown, forGone)
				}
				if bad := rec.bad(i); bad != "" {
					t.Errorf("endpoint %d: %s", i, bad)
				}
			}
			t.Logf("%s: all deliveries delivered %s after the last kill", d, time.Since(waitStart).Round(time.Second))
		})
	}
}

// deliveries pages through an endpoint's delivery log and returns its event
// ids and how many deliveries are not delivered yet.
func deliveries(t *testing.T, p *crashProc, key, endpoint string) (map[string]bool, int) {
	t.Helper()
	ids := map[string]bool{}
	pending := 0
	cursor := ""
	for {
		var page struct {
			Data []struct {
				EventID string `json:"event_id"`
				Status  string `json:"status"`
			} `json:"data"`
			NextCursor *string `json:"next_cursor"`
		}
		p.must(200, "GET", "/v1/webhook_endpoints/"+endpoint+"/deliveries?limit=100"+cursor, key, "", &page)
		for _, d := range page.Data {
			ids[d.EventID] = true
			if d.Status != "delivered" {
				pending++
			}
		}
		if page.NextCursor == nil || *page.NextCursor == "" {
			return ids, pending
		}
		cursor = "&cursor=" + *page.NextCursor
	}
}

// hookReceiver is a webhook receiver with one path per endpoint
// (/ep0, /ep1…). It answers 200 after 10 ms, verifies each signature and
// records every event id it received, how often, and the invoice it names.
type hookReceiver struct {
	srv     *httptest.Server
	mu      sync.Mutex
	secrets map[int]string
	got     map[int]map[string]*hookEvent
	reqs    map[int]int
	errs    map[int][]string
	total   map[string]bool
}

type hookEvent struct {
	count   int
	invoice string
}

func newHookReceiver(t *testing.T) *hookReceiver {
	r := &hookReceiver{secrets: map[int]string{}, got: map[int]map[string]*hookEvent{}, reqs: map[int]int{}, errs: map[int][]string{}, total: map[string]bool{}}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *hookReceiver) url(i int) string { return fmt.Sprintf("%s/ep%d", r.srv.URL, i) }

func (r *hookReceiver) index(url string) int {
	var i int
	_, _ = fmt.Sscanf(url[strings.LastIndex(url, "/"):], "/ep%d", &i)
	return i
}

func (r *hookReceiver) secret(i int, s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secrets[i] = s
}

func (r *hookReceiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	time.Sleep(10 * time.Millisecond)
	i := r.index(req.URL.Path)
	var ev struct {
		ID   string `json:"id"`
		Type string `json:"type"`
		Data struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs[i]++
	header := req.Header.Get(webhooks.EventIDHeader)
	switch {
	case json.Unmarshal(body, &ev) != nil:
		r.errs[i] = append(r.errs[i], "a body that is not JSON")
	case ev.ID != header:
		r.errs[i] = append(r.errs[i], fmt.Sprintf("event id %q in the body, %q in the header", ev.ID, header))
	case webhooks.Verify(r.secrets[i], req.Header.Get(webhooks.SignatureHeader), body, time.Now(), 5*time.Minute) != nil:
		r.errs[i] = append(r.errs[i], "a bad signature on "+ev.ID)
	case ev.Type != webhooks.InvoiceCreated:
		r.errs[i] = append(r.errs[i], "an unsubscribed event type "+ev.Type)
	}
	if r.got[i] == nil {
		r.got[i] = map[string]*hookEvent{}
	}
	h := r.got[i][header]
	if h == nil {
		h = &hookEvent{invoice: ev.Data.ID}
		r.got[i][header] = h
	}
	h.count++
	r.total[fmt.Sprint(i, header)] = true
	w.WriteHeader(http.StatusOK)
}

// distinct is how many (endpoint, event) pairs were received.
func (r *hookReceiver) distinct() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.total)
}

func (r *hookReceiver) events(i int) map[string]hookEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]hookEvent{}
	for id, h := range r.got[i] {
		out[id] = *h
	}
	return out
}

func (r *hookReceiver) requests(i int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reqs[i]
}

// bad describes the malformed deliveries of endpoint i ("" when none).
func (r *hookReceiver) bad(i int) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.errs[i]) == 0 {
		return ""
	}
	return fmt.Sprintf("%d malformed deliveries, first: %s", len(r.errs[i]), r.errs[i][0])
}
