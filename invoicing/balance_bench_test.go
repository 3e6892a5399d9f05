package invoicing_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tallyhq/tally/app/apptest"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/store"
)

// BenchmarkCreditBalance measures GET /v1/customers/{id}/credit_balance
// (live, at now) of a customer with a month of TALLY_BENCH_EVENTS events
// (default 100,000) and a credits grant, on each store, while another
// goroutine ingests that customer's events (100 a batch) all the while. It
// reports p50 and p99 of the balance call and, as baseline, of a bare
// proposed invoice of the same subscription measured in the same run
// (both under the same ingestion), and the ratio of the p50s:
//
//	CI=true go test -run '^$' -bench CreditBalance -benchtime 200x ./invoicing/
func BenchmarkCreditBalance(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("TALLY_BENCH_EVENTS")); err == nil && v > 0 {
		n = v
	}
	for _, kind := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(kind), func(b *testing.B) { benchBalance(b, kind, n) })
	}
}

func benchBalance(b *testing.B, kind store.Dialect, n int) {
	s := apptest.Start(b, kind, ts("2026-03-31T00:00:00Z"))
	key := s.NewTenant("bench")
	s.Must(201, "POST", "/v1/meters", key, `{"key":"tokens","event_name":"llm","aggregation":{"type":"sum","field":"tokens"}}`)
	s.Must(201, "POST", "/v1/plans", key, `{"key":"p","currency":"USD","interval":"month","prices":[
		{"key":"plat","type":"usage","meter":"tokens","model":"package","package_size":"1000","rounding":"none","amount":"0.22","price_unit":"credits","conversion_rate":"0.01","filters":{"key_mode":["platform"]}},
		{"key":"own","type":"usage","meter":"tokens","model":"package","package_size":"1000","rounding":"none","amount":"0.02","price_unit":"credits","conversion_rate":"0.01","filters":{"key_mode":["own"]}}]}`)
	cust := s.Must(201, "POST", "/v1/customers", key, `{"external_id":"acme","currency":"USD"}`).JSON()["id"].(string)
	sub := s.Must(201, "POST", "/v1/subscriptions", key, `{"customer":"acme","plan":"p","start_at":"2026-03-01T00:00:00Z"}`).JSON()["id"].(string)
	s.Must(201, "POST", "/v1/customers/"+cust+"/credit_grants", key, `{"amount":"1000000","unit":"credits","conversion_rate":"0.01"}`)
	k, _ := s.App.Services.Tenants.Authenticate(context.Background(), key)
	start := ts("2026-03-01T00:00:00Z")
	span := 29 * 24 * time.Hour
	ingest := func(prefix string, from, i, count int, at func(int) time.Time) {
		batch := make([]meters.EventInput, 0, count)
		for j := from; j < from+count; j++ {
			t := at(j)
			props, _ := json.Marshal(map[string]any{"key_mode": []string{"platform", "own"}[j%2], "tokens": 1000 + j%7})
			batch = append(batch, meters.EventInput{ID: fmt.Sprintf("%s%d", prefix, j), EventName: "llm", Customer: "acme", Timestamp: &t, Properties: props})
		}
		if _, err := s.App.Services.Meters.Ingest(context.Background(), k.TenantID, batch); err != nil {
			b.Error(err)
		}
	}
	for i := 0; i < n; i += 1000 {
		ingest("e", i, i, min(1000, n-i), func(j int) time.Time { return start.Add(time.Duration(int64(span) / int64(n) * int64(j))) })
	}
	// Concurrent ingestion of the same customer, as in production.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var ingested atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i += 100 {
			select {
			case <-stop:
				return
			default:
			}
			ingest("live", i, i, 100, func(int) time.Time { return ts("2026-03-30T12:00:00Z") })
			ingested.Add(100)
			time.Sleep(20 * time.Millisecond)
		}
	}()
	measure := func(path string) []time.Duration {
		var out []time.Duration
		for i := 0; i < b.N; i++ {
			t0 := time.Now()
			s.Must(200, "GET", path, key, nil)
			out = append(out, time.Since(t0))
		}
		return out
	}
	b.ResetTimer()
	bal := measure("/v1/customers/" + cust + "/credit_balance")
	b.StopTimer()
	base := measure("/v1/subscriptions/" + sub + "/proposed_invoice")
	close(stop)
	wg.Wait()
	p := func(d []time.Duration, q float64) float64 {
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		return float64(d[int(q*float64(len(d)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(p(bal, 0.5), "p50-ms")
	b.ReportMetric(p(bal, 0.99), "p99-ms")
	b.ReportMetric(p(base, 0.5), "proposed-p50-ms")
	b.ReportMetric(p(base, 0.99), "proposed-p99-ms")
	b.ReportMetric(p(bal, 0.5)/p(base, 0.5), "ratio-p50")
	b.ReportMetric(float64(ingested.Load()), "events-ingested")
}
