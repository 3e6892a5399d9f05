package app_test

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/app"
	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
)

// serve runs App.Serve (the real http.Server, timeouts included) on a free
// port and returns its address. The timeouts are not store-bound, so one
// store (SQLite) is enough.
func serve(t *testing.T, configure func(*app.Config)) string {
	t.Helper()
	cfg := app.Config{Addr: "127.0.0.1:0", DatabaseURL: storetest.URL(t, store.SQLite), LogLevel: "error", ShutdownTimeout: time.Second}
	configure(&cfg)
	a, err := app.Open(context.Background(), cfg, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ready) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("serve: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		<-done
		_ = a.Close()
	})
	return addr
}

// closedWithin reads conn until the server closes it and returns how long
// that took; it fails t if the connection is still open after limit.
func closedWithin(t *testing.T, conn net.Conn, limit time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	_ = conn.SetReadDeadline(start.Add(limit))
	_, err := io.Copy(io.Discard, conn)
	elapsed := time.Since(start)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("connection still open after %v", limit)
	}
	return elapsed
}

// trickle writes s a byte every gap until it is written or stop is closed
// (or a write fails: the server hung up).
func trickle(conn net.Conn, s string, gap time.Duration, stop <-chan struct{}) {
	for i := 0; i < len(s); i++ {
		select {
		case <-stop:
			return
		case <-time.After(gap):
		}
		if _, err := conn.Write([]byte{s[i]}); err != nil {
			return
		}
	}
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

func TestASlowLorisSendingHeadersIsCutOffByTheHeaderTimeout(t *testing.T) {
	addr := serve(t, func(c *app.Config) { c.ReadHeaderTimeout = 300 * time.Millisecond })
	conn := dial(t, addr)
	stop := make(chan struct{})
	defer close(stop)
	// A byte every 100 ms: the headers would take seconds to complete.
	go trickle(conn, "GET /healthz HTTP/1.1\r\nHost: tally\r\nX-Padding: "+strings.Repeat("a", 100)+"\r\n\r\n", 100*time.Millisecond, stop)
	if d := closedWithin(t, conn, 3*time.Second); d < 200*time.Millisecond {
		t.Errorf("closed after %v, before the header timeout", d)
	}
}

func TestASlowBodyIsCutOffByTheReadTimeout(t *testing.T) {
	addr := serve(t, func(c *app.Config) { c.ReadTimeout = 400 * time.Millisecond })
	conn := dial(t, addr)
	body := `{"name": "` + strings.Repeat("a", 200) + `"}`
	head := "POST /v1/tenants HTTP/1.1\r\nHost: tally\r\nContent-Type: application/json\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\n\r\n"
	if _, err := conn.Write([]byte(head)); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	defer close(stop)
	go trickle(conn, body, 100*time.Millisecond, stop)
	closedWithin(t, conn, 3*time.Second)
}

func TestAnIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout(t *testing.T) {
	addr := serve(t, func(c *app.Config) { c.IdleTimeout = 300 * time.Millisecond })
	conn := dial(t, addr)
	if _, err := conn.Write([]byte("GET /healthz HTTP/1.1\r\nHost: tally\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	rd := bufio.NewReader(conn)
	res, err := http.ReadResponse(rd, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || res.Close {
		t.Fatalf("status %d, close %v: want a kept-alive 200", res.StatusCode, res.Close)
	}
	start := time.Now()
	_ = conn.SetReadDeadline(start.Add(3 * time.Second))
	_, err = rd.ReadByte()
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("idle connection still open after 3s")
	}
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Errorf("closed after %v, before the idle timeout", d)
	}
}
