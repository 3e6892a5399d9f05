package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tallyhq/tally/app"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
)

func TestAKeyOverItsRateLimitGets429WithRetryAfter(t *testing.T) {
	cfg := app.Config{DatabaseURL: storetest.URL(t, store.SQLite), RootKey: "root", LogLevel: "error", RateLimit: 1}
	a, err := app.Open(context.Background(), cfg, domain.NewFixedClock(time.Now()), app.NewLogger("error"))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	srv := httptest.NewServer(a.API.Handler())
	defer srv.Close()
	get := func(key string) *http.Response {
		req, _ := http.NewRequest("GET", srv.URL+"/v1/meters", nil)
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	var last *http.Response
	for i := 0; i < 3; i++ { // a burst of 2 passes, the third is refused
		last = get("some-key")
		last.Body.Close()
	}
	if last.StatusCode != 429 || last.Header.Get("Retry-After") == "" {
		t.Fatalf("third call: %d, Retry-After %q; want 429 with Retry-After", last.StatusCode, last.Header.Get("Retry-After"))
	}
	res := get("some-key")
	var body struct {
		Error struct{ Code string } `json:"error"`
	}
	_ = json.NewDecoder(res.Body).Decode(&body)
	res.Body.Close()
	if body.Error.Code != "rate_limited" {
		t.Errorf("error code %q, want rate_limited", body.Error.Code)
	}
	if res := get("other-key"); res.StatusCode == 429 {
		t.Error("another key was limited too")
	}
}
