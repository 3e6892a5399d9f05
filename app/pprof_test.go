package app_test

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/tallyhq/tally/app"
)

// freeAddr returns a loopback address no one listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestPprof(t *testing.T) {
	t.Run("is off by default and never on the API's address", func(t *testing.T) {
		cfg, err := app.Load(func(app.Setting) (string, string, bool) { return "", "", false })
		if err != nil {
			t.Fatal(err)
		}
		if cfg.PprofAddr != "" {
			t.Fatalf("default TALLY_PPROF_ADDR is %q, want empty (off)", cfg.PprofAddr)
		}
		api := serve(t, func(*app.Config) {})
		if code, _ := get(t, "http://"+api+"/debug/pprof/"); code == http.StatusOK {
			t.Fatalf("the API serves /debug/pprof/ (status %d)", code)
		}
	})
	t.Run("serves the profiles on its own address when set", func(t *testing.T) {
		addr := freeAddr(t)
		api := serve(t, func(c *app.Config) { c.PprofAddr = addr })
		code, body := get(t, "http://"+addr+"/debug/pprof/")
		if code != http.StatusOK || !strings.Contains(body, "goroutine") {
			t.Fatalf("GET /debug/pprof/ on %s: status %d, body %.200q", addr, code, body)
		}
		if code, _ := get(t, "http://"+addr+"/debug/pprof/heap?debug=1"); code != http.StatusOK {
			t.Fatalf("heap profile: status %d", code)
		}
		if code, _ := get(t, "http://"+api+"/debug/pprof/"); code == http.StatusOK {
			t.Fatalf("the API serves /debug/pprof/ too")
		}
	})
	t.Run("a malformed address is refused at start", func(t *testing.T) {
		_, err := app.Load(func(s app.Setting) (string, string, bool) {
			if s.Env == "TALLY_PPROF_ADDR" {
				return "localhost", "TALLY_PPROF_ADDR", true
			}
			return "", "", false
		})
		if err == nil || !strings.Contains(err.Error(), "TALLY_PPROF_ADDR") {
			t.Fatalf("err = %v, want one naming TALLY_PPROF_ADDR", err)
		}
	})
}
