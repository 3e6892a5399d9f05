package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
)

// TestCrashDuringIngestionCountsEveryAcceptedEventOnce sends batches of
// events from several clients while the server is killed with SIGKILL
// several times. A client resends a batch that got no 202 (the connection
// died, or the client gave up waiting after 1 s — more on each resend — while
// the server went on)
// with the same event ids, as a client would, until it gets one.
// Afterwards every event is counted exactly once: the usage series and the
// proposed invoices (which read the rollups the ingestion keeps) count the
// number of distinct ids sent, and so does the stored events' count.
func TestCrashDuringIngestionCountsEveryAcceptedEventOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	t.Parallel()
	bin := sharedTally(t)
	for _, d := range []store.Dialect{store.Postgres, store.SQLite} {
		t.Run(string(d), func(t *testing.T) {
			const (
				clients = 4
				batches = 25
				size    = 400
				kills   = 5
			)
			url := storetest.URL(t, d)
			p := newCrashProc(t, bin, "TALLY_DATABASE_URL="+url, "TALLY_ROOT_KEY=root")
			key := crashTenant(t, p, "ingest")
			p.must(201, "POST", "/v1/meters", key, `{"key":"calls","event_name":"api.call","aggregation":{"type":"count"}}`, nil)
			p.must(201, "POST", "/v1/plans", key, `{"key":"metered","currency":"USD","interval":"month","prices":[{"key":"calls","type":"usage","meter":"calls","model":"per_unit","amount":"0.001"}]}`, nil)
			start := time.Now().UTC().Truncate(time.Second).Add(-2 * time.Hour)
			cus := make([]string, clients)
			subs := make([]string, clients)
			for c := range cus {
				var out struct{ ID string }
				p.must(201, "POST", "/v1/customers", key, fmt.Sprintf(`{"external_id":"c%d","currency":"USD"}`, c), &out)
				cus[c] = out.ID
				p.must(201, "POST", "/v1/subscriptions", key, fmt.Sprintf(`{"customer":"c%d","plan":"metered","start_at":%q}`, c, start.Add(-time.Hour).Format(time.RFC3339)), &out)
				subs[c] = out.ID
				// The proposed invoice makes the meter's rollup series, so
				// ingestion below folds every new event into it.
				p.must(200, "GET", "/v1/subscriptions/"+out.ID+"/proposed_invoice", key, "", nil)
			}
			var acked, requests, resent, accepted, duplicates atomic.Int64
			// An impatient client: 1 s for the first try, more for each
			// resend of the same batch (so a slow machine still finishes).
			impatient := make([]*http.Client, 10)
			for i := range impatient {
				impatient[i] = &http.Client{Timeout: time.Duration(i+1) * time.Second}
			}
			var wg sync.WaitGroup
			errs := make(chan error, clients)
			for c := 0; c < clients; c++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for b := 0; b < batches; b++ {
						body := batchBody(c, b, size, start)
						for try := 0; ; try++ {
							if try > 0 {
								resent.Add(1)
							}
							requests.Add(1)
							st, reply, err := p.sendWith(impatient[min(try, len(impatient)-1)], "POST", "/v1/events/batch", key, body)
							if err != nil || st >= 500 {
								time.Sleep(20 * time.Millisecond) // the server is down or restarting: resend
								continue
							}
							var r struct {
								Accepted   int64 `json:"accepted"`
								Duplicates int64 `json:"duplicates"`
								Rejected   []any `json:"rejected"`
							}
							if st != 202 || json.Unmarshal(reply, &r) != nil || len(r.Rejected) != 0 || r.Accepted+r.Duplicates != size {
								errs <- fmt.Errorf("client %d batch %d: %d %.300s", c, b, st, reply)
								return
							}
							accepted.Add(r.Accepted)
							duplicates.Add(r.Duplicates)
							acked.Add(1)
							break
						}
					}
				}()
			}
			total := int64(clients * batches)
			for k := 1; k <= kills; k++ {
				// Kill once the k-th sixth of the batches is acknowledged,
				// so the kills spread over the whole run.
				for acked.Load() < total*int64(k)/(kills+1) && len(errs) == 0 {
					time.Sleep(2 * time.Millisecond)
				}
				time.Sleep(time.Duration(rand.IntN(20)) * time.Millisecond) // land anywhere in the requests in flight
				p.killAndRestart()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			want := int64(clients * batches * size)
			counted := decimal.Zero
			for _, id := range cus {
				var series struct {
					Data []struct {
						Value decimal.Decimal `json:"value"`
					} `json:"data"`
				}
				p.must(200, "GET", fmt.Sprintf("/v1/customers/%s/usage?meter=calls&granularity=hour&from=%s&to=%s", id,
					start.Add(-time.Hour).Format(time.RFC3339), start.Add(3*time.Hour).Format(time.RFC3339)), key, "", &series)
				for _, pt := range series.Data {
					counted = counted.Add(pt.Value)
				}
			}
			billed := decimal.Zero
			for _, id := range subs {
				var inv struct {
					Lines []struct {
						PriceKey string          `json:"price_key"`
						Quantity decimal.Decimal `json:"quantity"`
					} `json:"lines"`
				}
				p.must(200, "GET", "/v1/subscriptions/"+id+"/proposed_invoice", key, "", &inv)
				for _, l := range inv.Lines {
					if l.PriceKey == "calls" {
						billed = billed.Add(l.Quantity)
					}
				}
			}
			stored := countEvents(t, url)
			t.Logf("%s: %d events sent in %d batches (%d requests, %d resent for want of a 202: refused while restarting, cut by a kill, or timed out), kills: %d (restart %s on average); 202 replies: %d accepted + %d duplicates; counted by the usage series: %s; billed on the proposed invoices: %s; stored events: %d",
				d, want, total, requests.Load(), resent.Load(), p.kills, p.meanRestart(), accepted.Load(), duplicates.Load(), counted, billed, stored)
			if !counted.Equal(decimal.NewFromInt(want)) {
				t.Errorf("the meter counts %s events, want %d (each sent event exactly once)", counted, want)
			}
			if !billed.Equal(decimal.NewFromInt(want)) {
				t.Errorf("the proposed invoices bill %s events, want %d", billed, want)
			}
			if stored != want {
				t.Errorf("%d events stored, want %d", stored, want)
			}
			if accepted.Load() > want {
				t.Errorf("%d events reported accepted (new), more than the %d sent", accepted.Load(), want)
			}
			if p.kills != kills {
				t.Errorf("%d kills, want %d", p.kills, kills)
			}
		})
	}
}

// batchBody is client c's batch b: size events with ids unique per (c, b,
// i), timestamps spread over two hours from start.
func batchBody(c, b, size int, start time.Time) string {
	var sb strings.Builder
	sb.WriteString(`{"events":[`)
	for i := 0; i < size; i++ {
		if i > 0 {
			sb.WriteString(",")
		}
		ts := start.Add(time.Duration((b*size+i)%7200) * time.Second)
		fmt.Fprintf(&sb, `{"id":"c%d-b%d-e%d","event_name":"api.call","customer":"c%d","timestamp":%q,"properties":{"n":%d}}`,
			c, b, i, c, ts.Format(time.RFC3339), i)
	}
	sb.WriteString("]}")
	return sb.String()
}

// countEvents counts the stored events straight from the database.
func countEvents(t *testing.T, url string) int64 {
	t.Helper()
	db, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	defer db.Close()
	var n int64
	if err := db.Gorm.Raw(`SELECT COUNT(*) FROM events`).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}
