package demo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/app"
	"github.com/tallyhq/tally/demo"
)

func demoConfig() app.Config {
	return app.Config{Addr: "127.0.0.1:0", LogLevel: "error", BodyLimit: "8M", ShutdownTimeout: 5 * time.Second}
}

// TestRunServesTheWelcomeCommands starts the demo as `tally demo` does,
// checks that /healthz and every printed request answer 2xx, and stops it.
func TestRunServesTheWelcomeCommands(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out bytes.Buffer
	ready := make(chan demo.Welcome, 1)
	done := make(chan error, 1)
	go func() {
		done <- demo.Run(ctx, demo.Options{Config: demoConfig(), Out: &out, Log: app.NewLogger("error"),
			Ready: func(w demo.Welcome) { ready <- w }})
	}()
	var w demo.Welcome
	select {
	case w = <-ready:
	case err := <-done:
		t.Fatalf("demo stopped before serving: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("demo not ready after 60s")
	}
	text := out.String()
	for _, want := range []string{w.URL, w.Seeded.AdminKey, w.Seeded.IngestKey, "/proposed_invoice", "/usage?meter=", "/v1/invoices -H",
		"/v1/invoices/" + w.Seeded.Finalized + " ", "INV-000001", "Europe/Berlin", "Asia/Tokyo", " EUR ", " JPY "} {
		if !strings.Contains(text, want) {
			t.Errorf("the welcome text lacks %q:\n%s", want, text)
		}
	}
	if len(w.Commands) < 8 || len(w.Commands) > 10 {
		t.Errorf("%d commands, want 8-10", len(w.Commands))
	}

	resp, err := http.Get(w.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("/healthz: %d", resp.StatusCode)
	}
	t.Run("the portal link opens the featured customer's portal", func(t *testing.T) {
		if w.Portal == "" || !strings.Contains(text, w.Portal) {
			t.Fatalf("no portal link in the welcome text (%q)", w.Portal)
		}
		jar, _ := cookiejar.New(nil)
		resp, err := (&http.Client{Jar: jar}).Get(w.Portal)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Request.URL.RawQuery != "" || !strings.Contains(string(page), w.PortalFor) {
			t.Errorf("GET %s: %d at %s", w.Portal, resp.StatusCode, resp.Request.URL)
		}
	})
	replies := map[string][]byte{}
	for _, c := range w.Commands {
		if !strings.Contains(text, c.Curl(w.URL)) {
			t.Errorf("the welcome text lacks %s", c.Curl(w.URL))
		}
		var body io.Reader
		if c.Body != "" {
			body = strings.NewReader(c.Body)
		}
		req, err := http.NewRequest(c.Method, w.URL+c.Path, body)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+c.Key)
		if c.Body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 != 2 || (c.Method == "GET" && resp.StatusCode != 200) {
			t.Errorf("%s %s: %d %s", c.Method, c.Path, resp.StatusCode, b)
		}
		replies[c.Path] = b
	}
	checkInvoiceReplies(t, w, replies)
	for _, want := range []string{"tally invoice list --tenant " + w.Seeded.TenantID, "tally invoice show " + w.Seeded.Finalized} {
		line := "TALLY_DATABASE_URL=sqlite://" + w.DBPath + " " + want
		if !slices.Contains(w.Shell, line) || !strings.Contains(text, line) {
			t.Errorf("the welcome text lacks %q (shell lines %q)", line, w.Shell)
		}
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("demo stopped with %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("demo did not stop")
	}
	if _, err := os.Stat(filepath.Dir(w.DBPath)); !os.IsNotExist(err) {
		t.Errorf("the temporary database %s is still there (%v)", w.DBPath, err)
	}
}

// checkInvoiceReplies reads the replies of the printed invoice commands:
// the list holds the seeded drafts and INV-000001, the finalized invoice
// has its number and lines, and the proposed invoice has a total.
func checkInvoiceReplies(t *testing.T, w demo.Welcome, replies map[string][]byte) {
	t.Helper()
	var list struct {
		Data []struct {
			ID     string  `json:"id"`
			Number *string `json:"number"`
			Status string  `json:"status"`
		} `json:"data"`
	}
	if err := json.Unmarshal(replies["/v1/invoices"], &list); err != nil {
		t.Fatalf("GET /v1/invoices: %v", err)
	}
	statuses := map[string]int{}
	for _, inv := range list.Data {
		statuses[inv.Status]++
		if inv.Status == "finalized" && (inv.Number == nil || *inv.Number != "INV-000001" || inv.ID != w.Seeded.Finalized) {
			t.Errorf("finalized invoice %+v, want %s numbered INV-000001", inv, w.Seeded.Finalized)
		}
	}
	if len(list.Data) != len(w.Seeded.Invoices) || statuses["finalized"] != 1 || statuses["draft"] != len(list.Data)-1 {
		t.Errorf("GET /v1/invoices lists %d invoices by status %v, want the %d seeded, one finalized", len(list.Data), statuses, len(w.Seeded.Invoices))
	}
	var one struct {
		Number string            `json:"number"`
		Lines  []json.RawMessage `json:"lines"`
		Total  string            `json:"total"`
	}
	if err := json.Unmarshal(replies["/v1/invoices/"+w.Seeded.Finalized], &one); err != nil || one.Number != "INV-000001" || len(one.Lines) == 0 {
		t.Errorf("GET /v1/invoices/%s: %+v, %v", w.Seeded.Finalized, one, err)
	}
	c, _ := w.Seeded.Customer(w.Seeded.Featured)
	var proposed struct {
		Total string `json:"total"`
	}
	if err := json.Unmarshal(replies["/v1/subscriptions/"+c.SubscriptionID+"/proposed_invoice"], &proposed); err != nil ||
		proposed.Total == "" || strings.Trim(proposed.Total, "0.") == "" {
		t.Errorf("the proposed invoice of %s: total %q, %v", c.ExternalID, proposed.Total, err)
	}
}

func TestRunKeepsAnExistingDatabaseUnlessReset(t *testing.T) {
	path := filepath.Join(t.TempDir(), "demo.db")
	if err := os.WriteFile(path, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := demo.Run(context.Background(), demo.Options{Config: demoConfig(), DBPath: path, Out: io.Discard})
	if err == nil || !strings.Contains(err.Error(), "--reset") {
		t.Fatalf("want a refusal naming --reset, got %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "precious" {
		t.Fatal("the existing file was touched")
	}

	// With reset the file is replaced by a demo database, kept on exit.
	ctx, cancel := context.WithCancel(context.Background())
	err = demo.Run(ctx, demo.Options{Config: demoConfig(), DBPath: path, Reset: true, Out: io.Discard, Log: app.NewLogger("error"),
		Ready: func(demo.Welcome) { cancel() }})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); len(b) < 4096 || string(b[:6]) != "SQLite" {
		t.Errorf("%s is not the demo database", path)
	}
}
