package invoicing_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally/app/apptest"
	"github.com/tallyhq/tally/webhooks"
)

// TestLifecycleWebhooks follows a subscription through its lifecycle with
// an endpoint subscribed to every event: each change is delivered once,
// signed, in order; an illegal move reports nothing.
func TestLifecycleWebhooks(t *testing.T) {
	apptest.Each(t, time.Date(2025, 1, 10, 0, 0, 0, 0, time.UTC), func(t *testing.T, s *apptest.Server) {
		var mu sync.Mutex
		var secret string
		var got []string
		seen := map[string]int{}
		rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			mu.Lock()
			defer mu.Unlock()
			if err := webhooks.Verify(secret, r.Header.Get(webhooks.SignatureHeader), body, time.Now(), 5*time.Minute); err != nil {
				t.Errorf("signature: %v", err)
			}
			var ev struct{ ID, Type string }
			_ = json.Unmarshal(body, &ev)
			seen[ev.ID]++
			got = append(got, ev.Type)
		}))
		defer rcv.Close()
		w := newWorld(t, s)
		ep := w.post(201, "/v1/webhook_endpoints", `{"url":"`+rcv.URL+`","events":["invoice.created","invoice.finalized","invoice.paid","invoice.voided","subscription.canceled","subscription.plan_changed"]}`)
		secret = ep["secret"].(string)
		if again := w.get("/v1/webhook_endpoints/" + ep["id"].(string)); again["secret"] != nil {
			t.Fatalf("the secret is shown again: %v", again)
		}
		sub := w.subscribe("acme", "pro", "2025-01-01T00:00:00Z", "")
		list := w.get("/v1/invoices?subscription=" + sub)["data"].([]any)
		inv := list[0].(map[string]any)["id"].(string)
		w.post(200, "/v1/invoices/"+inv+"/finalize", "")
		w.post(409, "/v1/invoices/"+inv+"/finalize", "")
		w.post(200, "/v1/invoices/"+inv+"/mark_paid", "")
		w.post(200, "/v1/invoices/"+inv+"/mark_paid", "")
		w.post(200, "/v1/subscriptions/"+sub+"/change_plan", `{"plan":"max","at":"period_end"}`)
		if _, err := s.App.Services.Dispatcher.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		want := []string{"invoice.created", "invoice.finalized", "invoice.paid", "subscription.plan_changed"}
		mu.Lock()
		defer mu.Unlock()
		if len(got) != len(want) {
			t.Fatalf("received %v, want %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("received %v, want %v", got, want)
			}
		}
		for id, n := range seen {
			if n != 1 {
				t.Fatalf("event %s received %d times", id, n)
			}
		}
		ds := w.get("/v1/webhook_endpoints/" + ep["id"].(string) + "/deliveries")["data"].([]any)
		if len(ds) != 4 || ds[0].(map[string]any)["status"] != "delivered" {
			t.Fatalf("delivery log %v", ds)
		}
	})
}
