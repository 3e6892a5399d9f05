package api_test

import (
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally/app"
	"github.com/tallyhq/tally/app/apptest"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
)

// flakyLink is a TCP proxy to Postgres that the test can cut and restore,
// so the server sees a real outage (connections refused and dropped) while
// every other test keeps its database.
type flakyLink struct {
	t      *testing.T
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newFlakyLink(t *testing.T, target string) *flakyLink {
	l := &flakyLink{t: t, target: target}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l.addr = ln.Addr().String()
	l.serve(ln)
	t.Cleanup(l.down)
	return l
}

func (l *flakyLink) serve(ln net.Listener) {
	l.mu.Lock()
	l.ln = ln
	l.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", l.target)
			if err != nil {
				c.Close()
				continue
			}
			l.mu.Lock()
			l.conns = append(l.conns, c, up)
			l.mu.Unlock()
			go func() { _, _ = io.Copy(up, c); up.Close() }()
			go func() { _, _ = io.Copy(c, up); c.Close() }()
		}
	}()
}

// down refuses new connections and drops the open ones.
func (l *flakyLink) down() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ln != nil {
		l.ln.Close()
		l.ln = nil
	}
	for _, c := range l.conns {
		c.Close()
	}
	l.conns = nil
}

// up listens again on the same address.
func (l *flakyLink) up() {
	ln, err := net.Listen("tcp", l.addr)
	if err != nil {
		l.t.Fatal(err)
	}
	l.serve(ln)
}

func TestADatabaseOutageAnswers503AndRecoversByItself(t *testing.T) {
	storetest.RequirePostgres(t)
	url := storetest.URL(t, store.Postgres)
	host := "127.0.0.1:5432"
	if i, j := strings.Index(url, "@"), strings.Index(url, "/test"); i > 0 && j > i {
		host = url[i+1 : j]
	}
	link := newFlakyLink(t, host)
	s := apptest.StartWith(t, store.Postgres, now, func(c *app.Config) {
		c.DatabaseURL = strings.Replace(url, host, link.addr, 1)
	})
	f := newFixture(t, s, "outage")
	f.countMeter("calls", "api.call")

	link.down()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r := call(t, s, "GET", "/v1/meters", f.key, nil)
	if r.Status != 503 || r.Header.Get("Retry-After") == "" {
		t.Fatalf("during the outage GET /v1/meters = %d (Retry-After %q), want 503 with Retry-After: %s", r.Status, r.Header.Get("Retry-After"), r.Body)
	}
	wantError(t, r, 503, "unavailable")
	if rd := call(t, s, "GET", "/readyz", "", nil); rd.Status != 503 || strings.Contains(string(rd.Body), "postgres") || strings.Contains(string(rd.Body), "127.0.0.1") {
		t.Errorf("readyz during the outage = %d %s, want 503 saying only unavailable", rd.Status, rd.Body)
	}

	link.up()
	for {
		if r := call(t, s, "GET", "/v1/meters", f.key, nil); r.Status == 200 {
			break
		} else if ctx.Err() != nil {
			t.Fatalf("the server did not recover after the database came back: %d %s", r.Status, r.Body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if rd := call(t, s, "GET", "/readyz", "", nil); rd.Status != 200 || string(rd.JSON(t)["status"].(string)) != "ok" {
		t.Errorf("readyz after recovery = %d %s", rd.Status, rd.Body)
	}
}
