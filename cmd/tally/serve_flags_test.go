package main

import (
	"net"
	"strings"
	"syscall"
	"testing"

	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
)

// TestServeBindsTheAddressOfItsFlag starts `tally serve --addr
// 127.0.0.1:<free port>` with TALLY_ADDR=127.0.0.1:0 in its environment:
// it listens on the flag's port.
func TestServeBindsTheAddressOfItsFlag(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	bin := buildTally(t)
	cmd, url := launchArgs(t, bin, []string{"serve", "--addr", addr, "--scheduler=off"}, "TALLY_DATABASE_URL="+storetest.URL(t, store.SQLite))
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	if url != "http://"+addr {
		t.Errorf("serve --addr %s listens at %s", addr, url)
	}
	if code, _ := call(t, "GET", url+"/healthz", "", ""); code == 0 {
		t.Errorf("nothing answers at %s", url)
	}
}

func TestVersionPrintsTheModuleVersionCommitAndDate(t *testing.T) {
	code, out, errOut := tally(t, "version")
	if code != 0 || !strings.HasPrefix(out, "tally ") || !strings.Contains(out, "(commit ") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}
