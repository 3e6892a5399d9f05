package webhooks_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
	"github.com/tallyhq/tally/webhooks"
	"gorm.io/gorm"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// receiver is a local endpoint: it checks each request's signature and
// counts the events it took, answering fail[n] for the n-th request (200
// once the list is used up).
type receiver struct {
	t      *testing.T
	secret string
	mu     sync.Mutex
	fail   []int
	calls  int
	got    map[string]int // event id → times taken (2xx)
	types  []string
	server *httptest.Server
}

func newReceiver(t *testing.T, fail ...int) *receiver {
	r := &receiver{t: t, fail: fail, got: map[string]int{}}
	r.server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.server.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := webhooks.Verify(r.secret, req.Header.Get(webhooks.SignatureHeader), body, time.Now(), 0); err != nil {
		r.t.Errorf("bad signature: %v", err)
		w.WriteHeader(400)
		return
	}
	var b struct{ ID, Type, Created string }
	if err := json.Unmarshal(body, &b); err != nil || b.ID == "" || b.ID != req.Header.Get(webhooks.EventIDHeader) {
		r.t.Errorf("body %s, header id %q", body, req.Header.Get(webhooks.EventIDHeader))
	}
	r.calls++
	if r.calls <= len(r.fail) {
		w.WriteHeader(r.fail[r.calls-1])
		return
	}
	r.got[b.ID]++
	r.types = append(r.types, b.Type)
	w.WriteHeader(200)
}

type fixture struct {
	db     *store.DB
	clock  *domain.FixedClock
	svc    *webhooks.Service
	disp   *webhooks.Dispatcher
	tenant string
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	clock := domain.NewFixedClock(t0)
	f := &fixture{db: db, clock: clock, svc: webhooks.NewService(db, clock), tenant: domain.NewID(domain.PrefixTenant),
		disp: webhooks.NewDispatcher(db, clock, webhooks.DispatchConfig{Timeout: 2 * time.Second, Jitter: -1}, nil)}
	if err := db.Gorm.Exec("INSERT INTO tenants (id, name, created_at) VALUES (?, 'Acme', ?)", f.tenant, t0).Error; err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) endpoint(t *testing.T, r *receiver, events ...string) webhooks.Endpoint {
	u := r.server.URL
	ep, err := f.svc.CreateEndpoint(context.Background(), f.tenant, webhooks.EndpointInput{URL: &u, Events: events})
	if err != nil {
		t.Fatal(err)
	}
	r.secret = ep.Secret
	return ep
}

func (f *fixture) emit(t *testing.T, typ string) string {
	var id string
	err := f.db.Tx(context.Background(), func(tx *gorm.DB) error {
		var err error
		id, err = f.svc.EmitTx(tx, f.tenant, webhooks.Event{Type: typ, CustomerID: "cus_1", Data: map[string]string{"invoice_id": "inv_1"}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (f *fixture) run(t *testing.T) int {
	n, err := f.disp.RunOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *fixture) only(t *testing.T, ep webhooks.Endpoint) webhooks.Delivery {
	l, err := f.svc.Deliveries(context.Background(), f.tenant, ep.ID, domain.Page{})
	if err != nil || len(l.Data) != 1 {
		t.Fatalf("deliveries %v, %v", l.Data, err)
	}
	return l.Data[0]
}

func TestWebhooks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		tests := []struct {
			name string
			run  func(t *testing.T, f *fixture)
		}{
			{"a signed event reaches each subscribed endpoint exactly once, and no other", func(t *testing.T, f *fixture) {
				a, b := newReceiver(t), newReceiver(t)
				f.endpoint(t, a, webhooks.InvoiceFinalized, webhooks.InvoicePaid)
				f.endpoint(t, b, webhooks.InvoicePaid)
				fin, paid := f.emit(t, webhooks.InvoiceFinalized), f.emit(t, webhooks.InvoicePaid)
				f.emit(t, webhooks.InvoiceVoided)
				if n := f.run(t); n != 3 {
					t.Fatalf("delivered %d, want 3", n)
				}
				f.clock.Advance(time.Hour)
				if n := f.run(t); n != 0 {
					t.Fatalf("second round delivered %d", n)
				}
				if a.got[fin] != 1 || a.got[paid] != 1 || len(a.got) != 2 || b.got[paid] != 1 || len(b.got) != 1 {
					t.Fatalf("a got %v, b got %v", a.got, b.got)
				}
				if a.types[0] != webhooks.InvoiceFinalized {
					t.Fatalf("a got %v: not in creation order", a.types)
				}
			}},
			{"a receiver that answers 500 then 200 gets the event once it recovers", func(t *testing.T, f *fixture) {
				r := newReceiver(t, 500)
				ep := f.endpoint(t, r, webhooks.InvoicePaid)
				id := f.emit(t, webhooks.InvoicePaid)
				if n := f.run(t); n != 0 {
					t.Fatalf("delivered %d on a 500", n)
				}
				d := f.only(t, ep)
				if d.Status != webhooks.Pending || d.Attempts != 1 || d.LastStatus == nil || *d.LastStatus != 500 || !d.NextAttemptAt.Equal(t0.Add(30*time.Second)) {
					t.Fatalf("after a 500: %+v", d)
				}
				f.clock.Advance(10 * time.Second)
				if n := f.run(t); n != 0 || r.calls != 1 {
					t.Fatalf("retried before its backoff: %d sent, %d calls", n, r.calls)
				}
				f.clock.Advance(25 * time.Second)
				if n := f.run(t); n != 1 || r.got[id] != 1 {
					t.Fatalf("after the backoff: %d sent, got %v", n, r.got)
				}
				if d := f.only(t, ep); d.Status != webhooks.Delivered || d.Attempts != 2 || d.DeliveredAt == nil {
					t.Fatalf("after recovery: %+v", d)
				}
			}},
			{"after 24 h of failures the delivery is failed, and redelivery sends it", func(t *testing.T, f *fixture) {
				fails := make([]int, 100)
				for i := range fails {
					fails[i] = 503
				}
				r := newReceiver(t, fails...)
				ep := f.endpoint(t, r, webhooks.InvoiceVoided)
				id := f.emit(t, webhooks.InvoiceVoided)
				for i := 0; i < 40; i++ {
					f.run(t)
					d := f.only(t, ep)
					if d.Status != webhooks.Pending {
						break
					}
					f.clock.Set(*d.NextAttemptAt)
				}
				d := f.only(t, ep)
				if d.Status != webhooks.Failed || d.LastAttemptAt.Before(t0.Add(24*time.Hour)) {
					t.Fatalf("after a day of 503s: %+v", d)
				}
				r.mu.Lock()
				r.fail = nil
				r.mu.Unlock()
				if _, err := f.svc.Redeliver(context.Background(), f.tenant, d.ID); err != nil {
					t.Fatal(err)
				}
				if n := f.run(t); n != 1 || r.got[id] != 1 {
					t.Fatalf("redelivery: %d sent, got %v", n, r.got)
				}
				if d := f.only(t, ep); d.Status != webhooks.Delivered {
					t.Fatalf("after redelivery: %+v", d)
				}
			}},
			{"a change that rolls back writes no outbox row", func(t *testing.T, f *fixture) {
				r := newReceiver(t)
				f.endpoint(t, r, webhooks.InvoicePaid)
				boom := errors.New("the change failed")
				err := f.db.Tx(context.Background(), func(tx *gorm.DB) error {
					if _, err := f.svc.EmitTx(tx, f.tenant, webhooks.Event{Type: webhooks.InvoicePaid}); err != nil {
						return err
					}
					return boom
				})
				if !errors.Is(err, boom) {
					t.Fatal(err)
				}
				var events, deliveries int64
				f.db.Gorm.Table("webhook_events").Where("tenant_id = ?", f.tenant).Count(&events)
				f.db.Gorm.Table("webhook_deliveries").Where("tenant_id = ?", f.tenant).Count(&deliveries)
				if events != 0 || deliveries != 0 || f.run(t) != 0 || r.calls != 0 {
					t.Fatalf("rolled back yet %d events, %d deliveries, %d calls", events, deliveries, r.calls)
				}
			}},
			{"a receiver that hangs does not hold back another endpoint", func(t *testing.T, f *fixture) {
				hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
					select {
					case <-req.Context().Done():
					case <-time.After(2500 * time.Millisecond):
					}
				}))
				defer hang.Close()
				u := hang.URL
				if _, err := f.svc.CreateEndpoint(context.Background(), f.tenant, webhooks.EndpointInput{URL: &u, Events: []string{webhooks.InvoicePaid}}); err != nil {
					t.Fatal(err)
				}
				ok := newReceiver(t)
				f.endpoint(t, ok, webhooks.InvoicePaid)
				id := f.emit(t, webhooks.InvoicePaid)
				f.emit(t, webhooks.InvoicePaid)
				start := time.Now()
				if n := f.run(t); n != 2 || ok.got[id] != 1 {
					t.Fatalf("delivered %d, got %v", n, ok.got)
				}
				if el := time.Since(start); el > 3500*time.Millisecond {
					t.Fatalf("round took %s: the hanging endpoint got more than one timed-out attempt", el)
				}
			}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) { tc.run(t, newFixture(t, db)) })
		}
	})
}

func TestEndpointValidation(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	f := newFixture(t, db)
	bad := "ftp://x"
	for _, tc := range []struct {
		name string
		in   webhooks.EndpointInput
	}{
		{"an endpoint needs a url", webhooks.EndpointInput{Events: []string{webhooks.InvoicePaid}}},
		{"an endpoint url must be http or https", webhooks.EndpointInput{URL: &bad, Events: []string{webhooks.InvoicePaid}}},
		{"an endpoint needs an event", webhooks.EndpointInput{URL: &bad}},
		{"an endpoint event must be known", webhooks.EndpointInput{URL: &bad, Events: []string{"invoice.eaten"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := f.svc.CreateEndpoint(context.Background(), f.tenant, tc.in); domain.KindOf(err) != domain.KindValidation {
				t.Fatalf("got %v", err)
			}
		})
	}
}
