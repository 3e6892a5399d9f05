package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/tallyhq/tally/store"
	"github.com/tallyhq/tally/store/storetest"
)

// TestCompatSDKs runs compat/sdk-tests (the Flexprice, Lago and OpenMeter
// SDKs from npm, unchanged) against a real `tally serve`: it creates a
// tenant, a meter, a plan, three customers and their subscriptions (with
// external ids) through the HTTP API, then runs `npm test` there with the
// URL and keys in the environment. Outside CI it skips when node, npm or the
// installed packages (.ci/install runs npm ci) are missing; in CI it fails.
func TestCompatSDKs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs node; skipped with -short")
	}
	dir, err := filepath.Abs(filepath.Join("..", "..", "compat", "sdk-tests"))
	if err != nil {
		t.Fatal(err)
	}
	missing := func(what string) {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s; in CI .ci/install must provide it (npm ci in compat/sdk-tests)", what)
		}
		t.Skipf("%s; install Node 20+ and run npm ci in compat/sdk-tests", what)
	}
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing(tool + " is not installed")
		}
	}
	for _, pkg := range []string{"@flexprice/sdk", "lago-javascript-client", "@openmeter/sdk"} {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", pkg, "package.json")); err != nil {
			missing(pkg + " is not installed in compat/sdk-tests")
		}
	}

	bin := buildTally(t)
	base := startServer(t, bin, "TALLY_DATABASE_URL="+storetest.URL(t, store.SQLite), "TALLY_ROOT_KEY=root")
	mustCall := func(want int, method, path, key, body string) map[string]any {
		t.Helper()
		st, m := call(t, method, base+path, key, body)
		if st != want {
			t.Fatalf("%s %s: %d, want %d: %v", method, path, st, want, m)
		}
		return m
	}
	key, _ := mustCall(201, "POST", "/v1/tenants", "root", `{"name":"sdk compat"}`)["api_key"].(string)
	ingest, _ := mustCall(201, "POST", "/v1/api_keys", key, `{"kind":"ingest","name":"sdks"}`)["key"].(string)
	mustCall(201, "POST", "/v1/meters", key, `{"key":"tokens","event_name":"llm.usage","aggregation":{"type":"sum","field":"tokens"}}`)
	mustCall(201, "POST", "/v1/plans", key, `{"key":"metered","currency":"USD","interval":"month","prices":[{"key":"tok","type":"usage","meter":"tokens","model":"per_unit","amount":"0.01"}]}`)
	// Started a day ago: the period holding now is open and has no usage yet.
	start := time.Now().UTC().Add(-24 * time.Hour).Format(time.RFC3339)
	subs := map[string]string{}
	for _, sdk := range []string{"fp", "lg", "om"} {
		mustCall(201, "POST", "/v1/customers", key, fmt.Sprintf(`{"external_id":"cus-%s","currency":"USD"}`, sdk))
		sub := mustCall(201, "POST", "/v1/subscriptions", key, fmt.Sprintf(`{"customer":"cus-%s","plan":"metered","start_at":%q,"billing_cycle":"anniversary","external_id":"sub-%s"}`, sdk, start, sdk))
		subs[sdk], _ = sub["id"].(string)
	}
	enc, _ := json.Marshal(subs)

	cmd := exec.Command("npm", "test", "--silent")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TALLY_URL="+base, "TALLY_KEY="+key, "TALLY_INGEST_KEY="+ingest, "TALLY_SUBS="+string(enc))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the SDK suite failed: %v\n%s", err, out)
	}
	t.Logf("the SDK suite passed:\n%s", out)
}
