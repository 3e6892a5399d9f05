package api_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally/app/apptest"
	"github.com/tallyhq/tally/webhooks"
)

// downReceiver answers 503 while down and 200 otherwise, recording each
// request's event id, body and the server clock's time.
type downReceiver struct {
	mu    sync.Mutex
	down  bool
	clock func() time.Time
	reqs  []downAttempt
}

type downAttempt struct {
	at       time.Time
	id, body string
	ok       bool
}

func newDownReceiver(t *testing.T, s *apptest.Server) (*downReceiver, string) {
	r := &downReceiver{down: true, clock: func() time.Time { return s.Clock.Now(context.Background()) }}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		r.reqs = append(r.reqs, downAttempt{at: r.clock(), id: req.Header.Get(webhooks.EventIDHeader), body: string(b), ok: !r.down})
		if r.down {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return r, srv.URL
}

func (r *downReceiver) set(down bool) { r.mu.Lock(); r.down = down; r.mu.Unlock() }

func (r *downReceiver) attempts() []downAttempt {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]downAttempt(nil), r.reqs...)
}

// TestAWebhookReceiverDownForAnHourGetsItsEventLater: the receiver answers
// 503 for an hour of the server's clock while the dispatcher runs every
// 10 s of it. The invoice.created event of a real change is retried with
// exponential backoff (each gap within ±20 % jitter of 30 s doubling), then
// delivered once the receiver is back, with the same event id and body on
// every attempt. A second event whose receiver stays down for more than a
// day is failed after the 24 h window, and POST
// /v1/webhook_deliveries/{id}/redeliver sends it again, same id, for 24 h
// more.
func TestAWebhookReceiverDownForAnHourGetsItsEventLater(t *testing.T) {
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		ctx := context.Background()
		rec, url := newDownReceiver(t, s)
		f := newFixture(t, s, "receiver-down")
		ep := f.create("/v1/webhook_endpoints", obj{"url": url, "events": list{"invoice.created"}})["id"].(string)
		f.flatPlan("p", "USD")
		f.customer("c1", "USD")
		f.subscribe("c1", "p") // its subscription_start invoice: invoice.created
		disp := s.App.Services.Dispatcher
		t0 := s.Clock.Now(ctx)
		for at := t0; !at.After(t0.Add(time.Hour)); at = at.Add(10 * time.Second) {
			s.Clock.Set(at)
			if _, err := disp.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
		}
		down := rec.attempts()
		if len(down) < 6 || len(down) > 8 {
			t.Fatalf("%d attempts in an hour down, want 6–8 (30 s doubling)", len(down))
		}
		for n := 1; n < len(down); n++ {
			gap, want := down[n].at.Sub(down[n-1].at), disp.Delay(n)
			if gap < want*8/10 || gap > want*12/10+10*time.Second {
				t.Errorf("attempt %d came %s after the one before, want %s ± 20 %%", n+1, gap, want)
			}
		}
		var log struct {
			Data []struct {
				ID         string `json:"id"`
				EventID    string `json:"event_id"`
				Status     string `json:"status"`
				Attempts   int    `json:"attempts"`
				LastStatus *int   `json:"last_status"`
			} `json:"data"`
		}
		must(t, s, 200, "GET", "/v1/webhook_endpoints/"+ep+"/deliveries", f.key, nil).Decode(t, &log)
		if len(log.Data) != 1 || log.Data[0].EventID != down[0].id || log.Data[0].Status != "pending" || log.Data[0].Attempts != len(down) || log.Data[0].LastStatus == nil || *log.Data[0].LastStatus != 503 {
			t.Fatalf("the delivery log after an hour down: %+v", log.Data)
		}
		rec.set(false)
		for at := s.Clock.Now(ctx); rec.attempts()[len(rec.attempts())-1].ok == false && at.Before(t0.Add(4*time.Hour)); at = at.Add(30 * time.Second) {
			s.Clock.Set(at)
			if _, err := disp.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
		}
		all := rec.attempts()
		last := all[len(all)-1]
		if !last.ok {
			t.Fatalf("not delivered within 3 h of the receiver's return: %d attempts", len(all))
		}
		for _, a := range all {
			if a.id != all[0].id || a.body != all[0].body || a.id == "" {
				t.Fatalf("attempts carry different events: %q vs %q", a.id, all[0].id)
			}
		}
		t.Logf("down 1 h: %d attempts (%s … %s after the event), delivered at +%s, attempt %d, event %s",
			len(down), down[0].at.Sub(t0), down[len(down)-1].at.Sub(t0), last.at.Sub(t0).Round(time.Second), len(all), last.id)

		// Down for more than a day: failed after the window, then redelivered.
		rec.set(true)
		f.customer("c2", "USD")
		f.subscribe("c2", "p")
		created := s.Clock.Now(ctx)
		type delivery struct {
			ID            string     `json:"id"`
			EventID       string     `json:"event_id"`
			Status        string     `json:"status"`
			Attempts      int        `json:"attempts"`
			NextAttemptAt *time.Time `json:"next_attempt_at"`
		}
		second := func() delivery {
			var page struct{ Data []delivery }
			must(t, s, 200, "GET", "/v1/webhook_endpoints/"+ep+"/deliveries", f.key, nil).Decode(t, &page)
			return page.Data[0] // newest first
		}
		for i := 0; i < 60; i++ {
			if _, err := disp.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
			d := second()
			if d.Status != "pending" {
				break
			}
			s.Clock.Set(*d.NextAttemptAt)
		}
		d := second()
		if d.Status != "failed" || s.Clock.Now(ctx).Before(created.Add(webhooks.RetryWindow)) {
			t.Fatalf("after a day down: %+v at +%s", d, s.Clock.Now(ctx).Sub(created))
		}
		failedAfter, failedAttempts := s.Clock.Now(ctx).Sub(created), d.Attempts
		var redo delivery
		must(t, s, 200, "POST", "/v1/webhook_deliveries/"+d.ID+"/redeliver", f.key, nil).Decode(t, &redo)
		if redo.Status != "pending" || redo.EventID != d.EventID {
			t.Fatalf("redeliver answered %+v", redo)
		}
		rec.set(false)
		if _, err := disp.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		got := rec.attempts()
		if l := got[len(got)-1]; !l.ok || l.id != d.EventID {
			t.Fatalf("redelivery sent %q (ok %v), want %q", l.id, l.ok, d.EventID)
		}
		if d := second(); d.Status != "delivered" {
			t.Fatalf("after redelivery: %+v", d)
		}
		t.Logf("down > 24 h: failed at +%s after %d attempts; redelivered with the same id %s", failedAfter.Round(time.Minute), failedAttempts, d.EventID)
	})
}
