package invoicing_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/tallyhq/tally/app/apptest"
	"github.com/tallyhq/tally/meters"
	"github.com/tallyhq/tally/store"
)

// BenchmarkProposedInvoice measures a live proposed invoice of a month
// holding TALLY_BENCH_EVENTS events (default 200,000) on Postgres, with
// `at` in the middle of an hour (so both rollups and raw edge events are
// read):
//
//	go test -run '^$' -bench ProposedInvoice -benchtime 50x ./invoicing/
func BenchmarkProposedInvoice(b *testing.B) {
	n := 200_000
	if v, err := strconv.Atoi(os.Getenv("TALLY_BENCH_EVENTS")); err == nil && v > 0 {
		n = v
	}
	s := apptest.Start(b, store.Postgres, ts("2026-04-01T00:00:00Z"))
	key := s.NewTenant("bench")
	s.Must(201, "POST", "/v1/meters", key, `{"key":"tokens","event_name":"llm","aggregation":{"type":"sum","field":"tokens"}}`)
	s.Must(201, "POST", "/v1/plans", key, `{"key":"p","currency":"USD","interval":"month","prices":[
		{"key":"o1","type":"usage","meter":"tokens","model":"package","package_size":"1000000","amount":"15","filters":{"model":["o1"]}},
		{"key":"all","type":"usage","meter":"tokens","model":"per_unit","amount":"0.000001"}]}`)
	s.Must(201, "POST", "/v1/customers", key, `{"external_id":"acme","currency":"USD"}`)
	sub := s.Must(201, "POST", "/v1/subscriptions", key, `{"customer":"acme","plan":"p","start_at":"2026-03-01T00:00:00Z"}`).JSON()["id"].(string)
	k, _ := s.App.Services.Tenants.Authenticate(context.Background(), key)
	start := ts("2026-03-01T00:00:00Z")
	span := 30 * 24 * time.Hour
	batch := make([]meters.EventInput, 0, 1000)
	for i := 0; i < n; i++ {
		at := start.Add(time.Duration(int64(span) / int64(n) * int64(i)))
		props, _ := json.Marshal(map[string]any{"model": []string{"o1", "gpt"}[i%2], "tokens": 1000 + i%7})
		batch = append(batch, meters.EventInput{ID: fmt.Sprintf("e%d", i), EventName: "llm", Customer: "acme", Timestamp: &at, Properties: props})
		if len(batch) == cap(batch) || i == n-1 {
			if _, err := s.App.Services.Meters.Ingest(context.Background(), k.TenantID, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	b.ResetTimer()
	for b.Loop() {
		s.Must(200, "GET", "/v1/subscriptions/"+sub+"/proposed_invoice?at=2026-03-20T12:34:56Z", key, nil)
	}
}
