package invoicing_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tallyhq/tally/app"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/invoicing"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
)

// TestLiveBalanceOverTheSystemClockIsServedFromTheCache runs Tally on the
// system clock, where every read of now differs: GET credit_balance
// without ?at= must be answered from the cache (the handler once passed
// its own now as at, a past instant for the service, so nothing was ever
// cached). A grant's remaining changed behind Tally's back (a direct
// write, notifying nothing, as another process's would) is therefore not
// seen at once, and is seen once BalanceTTL has passed.
func TestLiveBalanceOverTheSystemClockIsServedFromTheCache(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			if d == store.Postgres {
				storetest.RequirePostgres(t)
			}
			ctx := context.Background()
			a, err := app.Open(ctx, app.Config{DatabaseURL: storetest.URL(t, d), LogLevel: "error", BodyLimit: "8M"}, domain.SystemClock{}, app.NewLogger("error"))
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(a.Handler())
			t.Cleanup(func() { srv.Close(); _ = a.Close() })
			_, key, err := a.Services.Tenants.CreateTenant(ctx, tenantInput("system clock"))
			if err != nil {
				t.Fatal(err)
			}
			call := func(method, path, body string) map[string]any {
				t.Helper()
				req, _ := http.NewRequest(method, srv.URL+path, bytes.NewBufferString(body))
				req.Header.Set("Authorization", "Bearer "+key)
				req.Header.Set("Content-Type", "application/json")
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				var out map[string]any
				if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode >= 300 {
					t.Fatalf("%s %s: %d %v %v", method, path, res.StatusCode, out, err)
				}
				return out
			}
			cust := call("POST", "/v1/customers", `{"external_id":"acme","currency":"USD"}`)["id"].(string)
			grant := call("POST", "/v1/customers/"+cust+"/credit_grants", `{"amount":"100"}`)["id"].(string)
			balance := func() (string, time.Time) {
				t.Helper()
				b := call("GET", "/v1/customers/"+cust+"/credit_balance", "")
				at, err := time.Parse(time.RFC3339Nano, b["at"].(string))
				if err != nil {
					t.Fatal(err)
				}
				return b["data"].([]any)[0].(map[string]any)["remaining"].(string), at
			}
			first, at0 := balance()
			if first != "100.00" {
				t.Fatalf("remaining %s, want 100.00", first)
			}
			if err := a.DB.WithContext(ctx).Exec("UPDATE credit_grants SET remaining = 40 WHERE id = ?", grant).Error; err != nil {
				t.Fatal(err)
			}
			cached, at1 := balance()
			if at1.Sub(at0) < invoicing.BalanceTTL && at0.Truncate(15*time.Minute).Equal(at1.Truncate(15*time.Minute)) && cached != "100.00" {
				t.Fatalf("remaining %s %s after the first read: the live balance was computed again, not served from the cache", cached, at1.Sub(at0))
			}
			time.Sleep(invoicing.BalanceTTL + 100*time.Millisecond)
			if later, _ := balance(); later != "40.00" {
				t.Fatalf("remaining %s past BalanceTTL, want 40.00 (the write read afresh)", later)
			}
		})
	}
}
