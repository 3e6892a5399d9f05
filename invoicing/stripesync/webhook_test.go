package stripesync_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76/webhook"
	"github.com/tallyhq/tally/app/apptest"
)

const webhookSecret = "whsec_tally_test_secret"

// sign makes a Stripe-Signature header the way Stripe does: t=<unix
// seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the secret>.
func sign(body []byte, secret string, at time.Time) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%d.", at.Unix())
	mac.Write(body)
	return fmt.Sprintf("t=%d,v1=%s", at.Unix(), hex.EncodeToString(mac.Sum(nil)))
}

// event is a Stripe event about an invoice.
func event(id, typ, stripeInvoiceID string, fields map[string]any) []byte {
	obj := map[string]any{"id": stripeInvoiceID, "object": "invoice"}
	for k, v := range fields {
		obj[k] = v
	}
	b, _ := json.Marshal(map[string]any{"id": id, "object": "event", "api_version": "2023-10-16", "created": time.Now().Unix(),
		"livemode": false, "pending_webhooks": 1, "type": typ, "data": map[string]any{"object": obj}})
	return b
}

type httpReply struct {
	status int
	body   map[string]any
}

func post(t *testing.T, url, path, key string, body []byte, header map[string]string) httpReply {
	t.Helper()
	req, err := http.NewRequest("POST", url+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return httpReply{status: res.StatusCode, body: m}
}

func TestSignatureMatchesStripeGo(t *testing.T) {
	body := event("evt_sig", "invoice.paid", "in_sig", nil)
	at := time.Unix(1_700_000_000, 0)
	want := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: webhookSecret, Timestamp: at}).Header
	if got := sign(body, webhookSecret, at); got != want {
		t.Fatalf("sign() = %s, stripe-go signs %s", got, want)
	}
}

// TestWebhooksThroughTheAPI runs a real Tally with Stripe configured (the
// recording fake as API, a webhook secret), syncs real invoices through
// POST /v1/invoices/{id}/sync and sends signed events to
// POST /v1/webhooks/stripe.
func TestWebhooksThroughTheAPI(t *testing.T) {
	f := newFakeStripe(t)
	t.Setenv("STRIPE_API_KEY", "sk_test_tally")
	t.Setenv("STRIPE_API_BASE", f.URL())
	t.Setenv("STRIPE_WEBHOOK_SECRET", webhookSecret)
	t.Setenv("STRIPE_MAX_RETRIES", "1")
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		key := s.NewTenant("webhooks")
		s.Must(201, "POST", "/v1/plans", key, map[string]any{"key": "pro", "currency": "USD", "interval": "month",
			"prices": []any{map[string]any{"key": "base", "type": "fixed", "model": "flat", "amount": "19.00", "cadence": "advance"}}})
		// One subscription per invoice: each starts with a 19.00 draft.
		draft := func(name string) string {
			t.Helper()
			cid := s.Must(201, "POST", "/v1/customers", key, map[string]any{"external_id": name, "currency": "USD", "email": name + "@example.com"}).JSON()["id"].(string)
			s.Must(201, "POST", "/v1/subscriptions", key, map[string]any{"customer": name, "plan": "pro", "billing_cycle": "anniversary"})
			var list struct {
				Data []struct {
					ID string `json:"id"`
				} `json:"data"`
			}
			s.Must(200, "GET", "/v1/invoices?customer="+cid, key, nil).Decode(t, &list)
			if len(list.Data) != 1 {
				t.Fatalf("customer %s has %d invoices, want its subscription_start draft", name, len(list.Data))
			}
			return list.Data[0].ID
		}
		status := func(id string) string {
			t.Helper()
			return s.Must(200, "GET", "/v1/invoices/"+id, key, nil).JSON()["status"].(string)
		}
		// syncFinal syncs a draft, finalizes it and syncs again; it returns
		// the Stripe invoice id.
		syncFinal := func(id string) string {
			t.Helper()
			got := s.Must(200, "POST", "/v1/invoices/"+id+"/sync", key, nil).JSON()
			sid, _ := got["stripe_invoice_id"].(string)
			if sid == "" || got["status"] != "draft" {
				t.Fatalf("sync answered %v, want the draft with its stripe_invoice_id", got)
			}
			s.Clock.Advance(time.Minute)
			s.Must(200, "POST", "/v1/invoices/"+id+"/finalize", key, nil)
			got = s.Must(200, "POST", "/v1/invoices/"+id+"/sync", key, nil).JSON()
			if got["stripe_invoice_id"] != sid || got["status"] != "finalized" {
				t.Fatalf("second sync answered %v, want the finalized invoice on %s", got, sid)
			}
			return sid
		}
		paid, voided, lost, failing, early := draft("paid"), draft("voided"), draft("lost"), draft("failing"), draft("early")
		sPaid, sVoided, sLost, sFailing := syncFinal(paid), syncFinal(voided), syncFinal(lost), syncFinal(failing)
		sEarly := s.Must(200, "POST", "/v1/invoices/"+early+"/sync", key, nil).JSON()["stripe_invoice_id"].(string)
		if got := f.invoicesOf(paid); len(got) != 1 || got[0].Status != "open" || len(got[0].Items) != 1 || got[0].Items[0].Amount != 1900 {
			t.Fatalf("Stripe holds %+v for the paid-to-be invoice, want one open invoice with one 1900 item", got)
		}

		webhookPost := func(body []byte, sig string) httpReply {
			t.Helper()
			h := map[string]string{}
			if sig != "" {
				h["Stripe-Signature"] = sig
			}
			return post(t, s.URL, "/v1/webhooks/stripe", "", body, h)
		}
		// Event ids distinct per server (the stores share nothing, but the
		// fake does).
		evID := func(n string) string { return "evt_" + n + "_" + s.URL[len(s.URL)-5:] }

		cases := []struct {
			name       string
			body       []byte
			sig        string // "" = signed correctly now
			wantStatus int
			invoice    string
			wantState  string
		}{
			{"invoice.paid marks the invoice paid", event(evID("paid"), "invoice.paid", sPaid, map[string]any{"status": "paid"}), "", 200, paid, "paid"},
			{"a replay of invoice.paid is acknowledged and changes nothing", event(evID("paid"), "invoice.paid", sPaid, map[string]any{"status": "paid"}), "", 200, paid, "paid"},
			{"invoice.payment_succeeded after invoice.paid changes nothing", event(evID("succ"), "invoice.payment_succeeded", sPaid, nil), "", 200, paid, "paid"},
			{"a signature made with another secret is a 401 and changes nothing",
				event(evID("forged"), "invoice.voided", sVoided, nil), "other-secret", 401, voided, "finalized"},
			{"a missing signature is a 401 and changes nothing", event(evID("unsigned"), "invoice.voided", sVoided, nil), "none", 401, voided, "finalized"},
			{"a signature of another body is a 401 and changes nothing", event(evID("tampered"), "invoice.voided", sVoided, nil), "tampered", 401, voided, "finalized"},
			{"a signature older than five minutes is a 401 and changes nothing", event(evID("stale"), "invoice.voided", sVoided, nil), "stale", 401, voided, "finalized"},
			{"invoice.voided voids the invoice", event(evID("void"), "invoice.voided", sVoided, map[string]any{"status": "void"}), "", 200, voided, "void"},
			{"invoice.marked_uncollectible marks it uncollectible", event(evID("unc"), "invoice.marked_uncollectible", sLost, nil), "", 200, lost, "uncollectible"},
			{"invoice.payment_failed is recorded and the invoice stays finalized",
				event(evID("failed"), "invoice.payment_failed", sFailing, map[string]any{"attempt_count": 1, "amount_due": 1900, "next_payment_attempt": time.Now().Add(72 * time.Hour).Unix()}), "", 200, failing, "finalized"},
			{"a replayed invoice.payment_failed is not recorded twice",
				event(evID("failed"), "invoice.payment_failed", sFailing, map[string]any{"attempt_count": 1, "amount_due": 1900}), "", 200, failing, "finalized"},
			{"invoice.paid for a draft is acknowledged but not applied", event(evID("early"), "invoice.paid", sEarly, nil), "", 200, early, "draft"},
			{"an event for an invoice Tally does not know is acknowledged", event(evID("unknown"), "invoice.paid", "in_unknown", nil), "", 200, "", ""},
			{"an event of a kind Tally does not use is acknowledged", event(evID("cus"), "customer.created", "cus_x", nil), "", 200, "", ""},
			{"a correctly signed body that is not JSON is a 400", []byte("not json"), "", 400, "", ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				var sig string
				switch c.sig {
				case "":
					sig = sign(c.body, webhookSecret, time.Now())
				case "none":
				case "tampered":
					sig = sign(append([]byte(" "), c.body...), webhookSecret, time.Now())
				case "stale":
					sig = sign(c.body, webhookSecret, time.Now().Add(-10*time.Minute))
				default:
					sig = sign(c.body, c.sig, time.Now())
				}
				r := webhookPost(c.body, sig)
				if r.status != c.wantStatus {
					t.Fatalf("status %d, want %d: %v", r.status, c.wantStatus, r.body)
				}
				if c.wantStatus == 200 && r.body["received"] != true {
					t.Errorf("body %v, want {\"received\": true}", r.body)
				}
				if c.wantStatus != 200 {
					if e, _ := r.body["error"].(map[string]any); e == nil || e["code"] == "" {
						t.Errorf("error body %v lacks error.code", r.body)
					}
				}
				if c.invoice != "" {
					if got := status(c.invoice); got != c.wantState {
						t.Errorf("invoice status %s, want %s", got, c.wantState)
					}
				}
			})
		}
		t.Run("the payment failure is on record once", func(t *testing.T) {
			var tenantID string
			inv, err := s.App.Services.Invoicing.ByStripeInvoice(t.Context(), sFailing)
			if err != nil {
				t.Fatal(err)
			}
			tenantID = inv.TenantID
			fs, err := s.App.Services.Stripe.PaymentFailures(t.Context(), tenantID, failing)
			if err != nil {
				t.Fatal(err)
			}
			if len(fs) != 1 || fs[0].AttemptCount != 1 || fs[0].AmountDueMinor != 1900 || fs[0].NextAttemptAt == nil {
				t.Errorf("payment failures %+v, want one, attempt 1 of 1900 with a next attempt", fs)
			}
		})
		t.Run("sync needs an admin key", func(t *testing.T) {
			if r := post(t, s.URL, "/v1/invoices/"+paid+"/sync", "", nil, nil); r.status != 401 {
				t.Errorf("status %d, want 401", r.status)
			}
		})
		t.Run("syncing an unknown invoice is a 404", func(t *testing.T) {
			if r := post(t, s.URL, "/v1/invoices/inv_nope/sync", key, nil, nil); r.status != 404 {
				t.Errorf("status %d, want 404: %v", r.status, r.body)
			}
		})
		t.Run("Stripe failing after its retries is a 502, and the sync can be repeated", func(t *testing.T) {
			inv := draft("outage")
			for n := 1; n <= 10; n++ {
				f.failAt("POST /v1/invoices", len(f.log("POST /v1/invoices"))+n, "500")
			}
			r := post(t, s.URL, "/v1/invoices/"+inv+"/sync", key, nil, nil)
			f.clearFaults()
			if e, _ := r.body["error"].(map[string]any); r.status != 502 || e == nil || !strings.Contains(e["message"].(string), "stripe") {
				t.Fatalf("status %d %v, want a 502 naming Stripe", r.status, r.body)
			}
			if got := s.Must(200, "POST", "/v1/invoices/"+inv+"/sync", key, nil).JSON(); got["stripe_invoice_id"] == nil {
				t.Errorf("the repeated sync did not record the Stripe invoice: %v", got)
			}
		})
	})
}

// TestStripeNotConfigured checks the routes of a Tally started without any
// STRIPE_* setting: sync is a 409 stripe_disabled, webhooks a 409, and
// everything else works (invoices stay unsynced).
func TestStripeNotConfigured(t *testing.T) {
	t.Setenv("STRIPE_API_KEY", "")
	t.Setenv("STRIPE_API_BASE", "")
	t.Setenv("STRIPE_WEBHOOK_SECRET", "")
	apptest.Each(t, now, func(t *testing.T, s *apptest.Server) {
		key := s.NewTenant("no stripe")
		s.Must(201, "POST", "/v1/plans", key, map[string]any{"key": "pro", "currency": "USD", "interval": "month",
			"prices": []any{map[string]any{"key": "base", "type": "fixed", "model": "flat", "amount": "19.00", "cadence": "advance"}}})
		s.Must(201, "POST", "/v1/customers", key, map[string]any{"external_id": "acme", "currency": "USD"})
		s.Must(201, "POST", "/v1/subscriptions", key, map[string]any{"customer": "acme", "plan": "pro"})
		var list struct {
			Data []struct {
				ID              string  `json:"id"`
				StripeInvoiceID *string `json:"stripe_invoice_id"`
			} `json:"data"`
		}
		s.Must(200, "GET", "/v1/invoices", key, nil).Decode(t, &list)
		if len(list.Data) != 1 {
			t.Fatalf("%d invoices, want the subscription_start draft", len(list.Data))
		}
		id := list.Data[0].ID
		t.Run("sync is a 409 stripe_disabled", func(t *testing.T) {
			r := post(t, s.URL, "/v1/invoices/"+id+"/sync", key, nil, nil)
			if e, _ := r.body["error"].(map[string]any); r.status != 409 || e["code"] != "stripe_disabled" {
				t.Errorf("status %d %v, want 409 stripe_disabled", r.status, r.body)
			}
		})
		t.Run("a webhook is refused with a 409, not a 500", func(t *testing.T) {
			body := event("evt_x", "invoice.paid", "in_x", nil)
			r := post(t, s.URL, "/v1/webhooks/stripe", "", body, map[string]string{"Stripe-Signature": sign(body, webhookSecret, time.Now())})
			if r.status != 409 {
				t.Errorf("status %d %v, want 409", r.status, r.body)
			}
		})
		t.Run("the invoice can still be finalized and stays unsynced", func(t *testing.T) {
			got := s.Must(200, "POST", "/v1/invoices/"+id+"/finalize", key, nil).JSON()
			if got["status"] != "finalized" || got["stripe_invoice_id"] != nil {
				t.Errorf("finalize answered %v, want finalized without a stripe id", got)
			}
		})
	})
}
