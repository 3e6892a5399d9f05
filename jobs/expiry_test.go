package jobs_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/tallyhq/tally/app/apptest"
	"github.com/tallyhq/tally/jobs"
)

type expiredEvent struct {
	Data struct {
		GrantID   string `json:"grant_id"`
		Unit      string `json:"unit"`
		Expired   string `json:"expired"`
		Value     string `json:"value"`
		Pending   string `json:"pending"`
		ExpiresAt string `json:"expires_at"`
	} `json:"data"`
}

type ledgerEntry struct {
	ID      string `json:"id"`
	Kind    string `json:"kind"`
	GrantID string `json:"grant_id"`
	Units   string `json:"units"`
	Balance string `json:"balance"`
	At      string `json:"at"`
}

// TestCreditsExpiredAtTheTenantsExpiryInstant: with the tenant's test
// clock, a grant expiring mid-March (it pays nothing of March) expires
// whole at its instant — a stored ledger entry and credits.expired in the
// outbox, once, however often the job runs — and a grant expiring in April
// keeps what March (closed, not invoiced yet) will still draw: the event
// says expired 7, pending 3, and after March's invoice draws the 3 the
// grant's ledger sums to zero. The server's real clock stays in March, so
// only the tenant's clock can make any of it happen.
func TestCreditsExpiredAtTheTenantsExpiryInstant(t *testing.T) {
	apptest.Each(t, at("2026-03-10T12:00:00Z"), func(t *testing.T, s *apptest.Server) {
		key := s.NewTenant("expiry")
		decode := func(r apptest.Response, v any) {
			t.Helper()
			if err := json.Unmarshal(r.Body, v); err != nil {
				t.Fatalf("%v: %s", err, r.Body)
			}
		}
		s.Must(201, "POST", "/v1/meters", key, `{"key":"calls","event_name":"api.call","aggregation":{"type":"count"}}`)
		s.Must(201, "POST", "/v1/plans", key, `{"key":"metered","currency":"USD","interval":"month","prices":[{"key":"calls","type":"usage","meter":"calls","model":"per_unit","amount":"1.00"}]}`)
		var cus struct{ ID string }
		decode(s.Must(201, "POST", "/v1/customers", key, `{"external_id":"acme","currency":"USD"}`), &cus)
		s.Must(201, "POST", "/v1/subscriptions", key, `{"customer":"acme","plan":"metered","start_at":"2026-03-01T00:00:00Z"}`)
		s.Must(201, "POST", "/v1/webhook_endpoints", key, `{"url":"https://example.com/hook","events":["credits.expired"]}`)
		var mid, april struct{ ID string }
		decode(s.Must(201, "POST", "/v1/customers/"+cus.ID+"/credit_grants", key, `{"amount":"10.00","expires_at":"2026-03-20T00:00:00Z","priority":1}`), &mid)
		decode(s.Must(201, "POST", "/v1/customers/"+cus.ID+"/credit_grants", key, `{"amount":"10.00","expires_at":"2026-04-10T00:00:00Z","priority":2}`), &april)
		s.Must(202, "POST", "/v1/events/batch", key, `{"events":[
			{"id":"e1","event_name":"api.call","customer":"acme","timestamp":"2026-03-05T00:00:00Z"},
			{"id":"e2","event_name":"api.call","customer":"acme","timestamp":"2026-03-06T00:00:00Z"},
			{"id":"e3","event_name":"api.call","customer":"acme","timestamp":"2026-03-07T00:00:00Z"}]}`)

		svc := s.App.Services
		j := jobs.New(jobs.Config{TestClocks: true}, s.Clock, svc.Tenants, svc.Invoicing, nil, nil, jobs.NewLocker(svc.DB), nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
		expired := func() []expiredEvent {
			t.Helper()
			var bodies []string
			if err := svc.DB.Gorm.Table("webhook_events").Where("type = ?", "credits.expired").Order("created_at, id").Pluck("body", &bodies).Error; err != nil {
				t.Fatal(err)
			}
			out := make([]expiredEvent, len(bodies))
			for i, b := range bodies {
				if err := json.Unmarshal([]byte(b), &out[i]); err != nil {
					t.Fatal(err)
				}
			}
			return out
		}
		ledger := func(grant string) (entries []ledgerEntry, sum decimal.Decimal) {
			t.Helper()
			var l struct{ Data []ledgerEntry }
			decode(s.Must(200, "GET", "/v1/customers/"+cus.ID+"/credit_ledger?limit=500", key, nil), &l)
			for _, e := range l.Data {
				if e.GrantID == grant {
					entries = append(entries, e)
					sum = sum.Add(decimal.RequireFromString(e.Units))
				}
			}
			return entries, sum
		}
		run := func(clock string) {
			t.Helper()
			s.Must(200, "PUT", "/v1/test_clock", key, `{"now":"`+clock+`"}`)
			if err := j.CreditExpiries(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		wantDec := func(what, got, want string) {
			t.Helper()
			if !decimal.RequireFromString(got).Equal(decimal.RequireFromString(want)) {
				t.Errorf("%s = %s, want %s", what, got, want)
			}
		}

		run("2026-03-19T23:59:59Z")
		if n := len(expired()); n != 0 {
			t.Fatalf("%d credits.expired a second before any expiry", n)
		}
		run("2026-03-20T00:00:00Z")
		run("2026-03-20T00:00:00Z") // once per grant, however often it runs
		evs := expired()
		if len(evs) != 1 || evs[0].Data.GrantID != mid.ID {
			t.Fatalf("at the mid-March expiry: %+v, want one event of grant %s", evs, mid.ID)
		}
		wantDec("mid-March expired", evs[0].Data.Expired, "10")
		wantDec("mid-March pending", evs[0].Data.Pending, "0")
		if evs[0].Data.Value != "10.00" || evs[0].Data.ExpiresAt != "2026-03-20T00:00:00Z" {
			t.Errorf("mid-March event %+v", evs[0].Data)
		}
		entries, sum := ledger(mid.ID)
		if len(entries) != 2 || entries[1].Kind != "expiry" || entries[1].At != "2026-03-20T00:00:00Z" || !sum.IsZero() {
			t.Errorf("mid-March grant's ledger %+v (sum %s), want its grant and one expiry at the instant", entries, sum)
		}

		run("2026-04-10T00:00:00Z")
		evs = expired()
		if len(evs) != 2 || evs[1].Data.GrantID != april.ID {
			t.Fatalf("at the April expiry: %+v", evs)
		}
		wantDec("April expired", evs[1].Data.Expired, "7")
		wantDec("April pending (March still draws)", evs[1].Data.Pending, "3")
		var bal struct {
			Data []struct{ Expired, Pending, Remaining string }
		}
		decode(s.Must(200, "GET", "/v1/customers/"+cus.ID+"/credit_balance", key, nil), &bal)
		if len(bal.Data) != 1 {
			t.Fatalf("balance %+v", bal)
		}
		wantDec("balance expired", bal.Data[0].Expired, "17")
		wantDec("balance pending", bal.Data[0].Pending, "3")

		// March's invoice draws the 3 the expiry left: the grant's ledger
		// ends at zero, with no entry derived on top.
		s.Must(201, "POST", "/v1/invoice_runs", key, `{"as_of":"2026-04-01T00:00:00Z","wait":true}`)
		var invs struct{ Data []struct{ ID, Status string } }
		decode(s.Must(200, "GET", "/v1/invoices?customer="+cus.ID, key, nil), &invs)
		for _, inv := range invs.Data {
			if inv.Status == "draft" {
				s.Must(200, "POST", "/v1/invoices/"+inv.ID+"/finalize", key, nil)
			}
		}
		entries, sum = ledger(april.ID)
		kinds := ""
		for _, e := range entries {
			kinds += e.Kind + " "
			if decimal.RequireFromString(e.Balance).IsNegative() {
				t.Errorf("negative running balance: %+v", entries)
			}
		}
		if kinds != "grant expiry draw " || !sum.IsZero() {
			t.Errorf("April grant's ledger %+v (sum %s), want grant, expiry, draw summing to 0", entries, sum)
		}
		run("2026-04-11T00:00:00Z")
		if n := len(expired()); n != 2 {
			t.Errorf("%d credits.expired after the draw, want still 2", n)
		}
	})
}
