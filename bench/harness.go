package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/tallyhq/tally/app"
	"github.com/tallyhq/tally/store"
)

// harness is a Tally server the bench drives over HTTP, and the bench's
// own handle on its database (for counting what was stored and for the
// COPY baselines).
type harness struct {
	db      *store.DB
	app     *app.App // nil when the server is an external one
	ownDB   bool     // db was opened here (close it)
	base    string
	rootKey string
	client  *http.Client
	stop    context.CancelFunc
	served  chan error
}

// start opens the database and starts (or targets) the server.
func start(ctx context.Context, o Options) (*harness, error) {
	if o.DatabaseURL == "" {
		return nil, errors.New("bench: a database is required (--db postgres://… or sqlite://PATH)")
	}
	h := &harness{client: &http.Client{Timeout: 10 * time.Minute, Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}}}
	if o.URL != "" {
		if o.RootKey == "" {
			return nil, errors.New("bench: --url needs the server's root key (--root-key or TALLY_ROOT_KEY)")
		}
		db, err := store.Open(ctx, o.DatabaseURL)
		if err != nil {
			return nil, err
		}
		h.db, h.ownDB, h.base, h.rootKey = db, true, strings.TrimRight(o.URL, "/"), o.RootKey
		return h, nil
	}
	cfg, err := app.Load(func(app.Setting) (string, string, bool) { return "", "", false })
	if err != nil {
		return nil, err
	}
	cfg.DatabaseURL = o.DatabaseURL
	cfg.Addr = "127.0.0.1:0"
	cfg.RootKey = randomKey()
	cfg.Scheduler = false               // the bench starts the runs it times
	cfg.RateLimit = 0                   // the load is the point
	cfg.LogLevel = "error"              // keep the terminal for the figures
	cfg.WriteTimeout = 10 * time.Minute // a preview under a 10M-event load is still one request
	cfg.ShutdownTimeout = 5 * time.Second
	cfg.PprofAddr = os.Getenv("TALLY_PPROF_ADDR") // profile the in-process server under the bench's load
	a, err := app.Open(ctx, cfg, nil, nil)
	if err != nil {
		return nil, err
	}
	sctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	h.served = make(chan error, 1)
	go func() { h.served <- a.Serve(sctx, ready) }()
	select {
	case addr := <-ready:
		h.base = "http://" + addr
	case err := <-h.served:
		cancel()
		_ = a.Close()
		return nil, err
	}
	h.app, h.db, h.stop, h.rootKey = a, a.DB, cancel, cfg.RootKey
	return h, nil
}

// close stops the server (if started here) and releases the database.
func (h *harness) close() {
	if h.stop != nil {
		h.stop()
		<-h.served
	}
	if h.app != nil {
		_ = h.app.Close()
	}
	if h.ownDB {
		_ = h.db.Close()
	}
}

func randomKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// httpError is a reply with another status than the one expected.
type httpError struct {
	method, path string
	status       int
	body         string
}

func (e *httpError) Error() string {
	return fmt.Sprintf("%s %s: status %d: %s", e.method, e.path, e.status, e.body)
}

// do sends a request with a JSON body (a []byte as is, anything else
// marshalled; nil for none), expects status want and decodes the reply
// into out (nil: discarded).
func (h *harness) do(ctx context.Context, method, path, key string, body any, want int, out any) error {
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			return err
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, h.base+path, r)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	if r != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		if len(data) > 500 {
			data = data[:500]
		}
		return &httpError{method, path, resp.StatusCode, string(data)}
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(data, out)
}

// tenant is a tenant the bench created, with its keys.
type tenant struct {
	ID     string
	Admin  string
	Ingest string
}

// newTenant creates a tenant with an admin and an ingest key.
func (h *harness) newTenant(ctx context.Context, name string) (tenant, error) {
	var t struct {
		ID     string `json:"id"`
		APIKey string `json:"api_key"`
	}
	if err := h.do(ctx, "POST", "/v1/tenants", h.rootKey, map[string]string{"name": name}, 201, &t); err != nil {
		return tenant{}, err
	}
	var k struct {
		Key string `json:"key"`
	}
	if err := h.do(ctx, "POST", "/v1/api_keys", t.APIKey, map[string]string{"kind": "ingest", "name": "bench"}, 201, &k); err != nil {
		return tenant{}, err
	}
	return tenant{ID: t.ID, Admin: t.APIKey, Ingest: k.Key}, nil
}
