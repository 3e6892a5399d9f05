package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// tally runs the command in this process and returns its exit status,
// stdout and stderr. The run is cancelled after 20 seconds (a server that
// should not have started stops).
func tally(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	code := run(ctx, args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// inEmptyDir runs the test in a fresh working folder with no TALLY_* or
// STRIPE_* variable set, and returns the folder.
func inEmptyDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "TALLY_") || strings.HasPrefix(name, "STRIPE_") {
			t.Setenv(name, "")
			os.Unsetenv(name)
		}
	}
	return dir
}

// commandPaths are every command of the tree, as words after "tally".
func commandPaths() [][]string {
	var out [][]string
	stack := []*cobra.Command{newRoot(new(bytes.Buffer), new(bytes.Buffer))}
	for len(stack) > 0 {
		c := stack[0]
		stack = stack[1:]
		words := strings.Fields(c.CommandPath())[1:]
		out = append(out, words)
		stack = append(stack, c.Commands()...)
	}
	return out
}

func TestHelpOfEveryCommandExitsZeroAndDoesNothingElse(t *testing.T) {
	for _, path := range commandPaths() {
		for _, help := range []string{"--help", "-h"} {
			args := append(append([]string{}, path...), help)
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				dir := inEmptyDir(t)
				start := time.Now()
				code, out, errOut := tally(t, args...)
				if code != 0 {
					t.Fatalf("exit %d, stderr: %s", code, errOut)
				}
				if !strings.Contains(out, "Usage:") {
					t.Errorf("no usage on stdout:\n%s", out)
				}
				if errOut != "" {
					t.Errorf("stderr: %s", errOut)
				}
				if d := time.Since(start); d > 5*time.Second {
					t.Errorf("took %v: it did more than print help", d)
				}
				if files, _ := os.ReadDir(dir); len(files) > 0 {
					t.Errorf("created %s", files[0].Name())
				}
			})
		}
	}
}

func TestBadArgumentsExitTwoWithAUsageLine(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"an unknown command", []string{"bogus"}, `unknown command "bogus"`},
		{"an unknown subcommand", []string{"invoice", "bogus"}, `unknown command "bogus" for "tally invoice"`},
		{"a group without its subcommand", []string{"invoice"}, "needs a command"},
		{"an unknown flag of serve", []string{"serve", "--bogus"}, "unknown flag: --bogus"},
		{"an unknown flag of migrate", []string{"migrate", "--verbose"}, "unknown flag: --verbose"},
		{"a missing invoice id", []string{"invoice", "show"}, "accepts 1 arg(s), received 0"},
		{"a missing scenario file", []string{"scenario", "run"}, "requires at least 1 arg(s)"},
		{"an argument serve does not take", []string{"serve", "now"}, `unknown command "now"`},
		{"a flag without its value", []string{"invoice", "list", "--limit"}, "flag needs an argument"},
		{"a malformed flag value", []string{"invoice", "list", "--limit", "many"}, "invalid argument"},
		{"a bad setting given as a flag", []string{"config", "--log-level", "loud"}, `invalid --log-level "loud" (TALLY_LOG_LEVEL)`},
		{"--reset without --db", []string{"demo", "--reset"}, "--reset needs --db"},
		{"a malformed --as-of", []string{"invoice", "run", "--as-of", "yesterday"}, "--as-of"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := inEmptyDir(t)
			code, _, errOut := tally(t, c.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2; stderr: %s", code, errOut)
			}
			if !strings.Contains(errOut, c.want) {
				t.Errorf("stderr does not say %q:\n%s", c.want, errOut)
			}
			if !strings.Contains(errOut, "Usage:") {
				t.Errorf("no usage line on stderr:\n%s", errOut)
			}
			if files, _ := os.ReadDir(dir); len(files) > 0 {
				t.Errorf("created %s", files[0].Name())
			}
		})
	}
}

func TestAFlagOverridesItsEnvironmentVariable(t *testing.T) {
	cases := []struct {
		name      string
		env, flag string
		setting   string
		envValue  string
		flagValue string
		want      string
	}{
		{"--addr over TALLY_ADDR", "TALLY_ADDR", "--addr", "TALLY_ADDR", "127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:2"},
		{"--db over TALLY_DATABASE_URL", "TALLY_DATABASE_URL", "--db", "TALLY_DATABASE_URL", "sqlite://env.db", "sqlite://flag.db", "sqlite://flag.db"},
		{"--database-url over TALLY_DATABASE_URL", "TALLY_DATABASE_URL", "--database-url", "TALLY_DATABASE_URL", "sqlite://env.db", "sqlite://flag.db", "sqlite://flag.db"},
		{"--log-level over TALLY_LOG_LEVEL", "TALLY_LOG_LEVEL", "--log-level", "TALLY_LOG_LEVEL", "error", "debug", "debug"},
		{"--scheduler over TALLY_SCHEDULER", "TALLY_SCHEDULER", "--scheduler", "TALLY_SCHEDULER", "on", "off", "off"},
		{"--test-clock over TALLY_TEST_CLOCK", "TALLY_TEST_CLOCK", "--test-clock", "TALLY_TEST_CLOCK", "off", "on", "on"},
		{"--finalize-grace over TALLY_FINALIZE_GRACE", "TALLY_FINALIZE_GRACE", "--finalize-grace", "TALLY_FINALIZE_GRACE", "1h", "90m", "1h30m0s"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inEmptyDir(t)
			t.Setenv(c.env, c.envValue)
			code, out, errOut := tally(t, "config", c.flag+"="+c.flagValue)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			line := settingLine(out, c.setting)
			if f := strings.Fields(line); len(f) < 3 || f[1] != c.want || f[2] != c.flag {
				t.Errorf("config shows %q, want %s %s from %s", line, c.setting, c.want, c.flag)
			}
		})
	}
}

// settingLine is the line of `tally config` that shows the setting.
func settingLine(out, setting string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, setting+" ") {
			return l
		}
	}
	return ""
}

func TestConfigMasksSecrets(t *testing.T) {
	cases := []struct {
		name, env, value, want string
	}{
		{"a long root key shows its last four characters", "TALLY_ROOT_KEY", "root-key-of-the-server-7f3a", "****7f3a"},
		{"a short root key shows only that it is set", "TALLY_ROOT_KEY", "root", "(set)"},
		{"the Stripe key is masked", "STRIPE_API_KEY", "sk_test_51Habcdefghij9x2Q", "****9x2Q"},
		{"the webhook secret is masked", "STRIPE_WEBHOOK_SECRET", "whsec_abcdefghijkl0042", "****0042"},
		{"an unset secret says so", "STRIPE_WEBHOOK_SECRET", "", "(not set)"},
		{"a database password is hidden", "TALLY_DATABASE_URL", "postgres://tally:hunter2hunter2@db:5432/tally", "postgres://tally:xxxxx@db:5432/tally"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inEmptyDir(t)
			t.Setenv(c.env, c.value)
			code, out, errOut := tally(t, "config")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if line := settingLine(out, c.env); !strings.Contains(line, " "+c.want+" ") {
				t.Errorf("config shows %q, want %s", line, c.want)
			}
			if c.value != "" && c.value != c.want && strings.Contains(out, c.value) {
				t.Errorf("the secret %q is printed:\n%s", c.value, out)
			}
		})
	}
}

func TestABadSettingStopsWithOneLineNamingIt(t *testing.T) {
	inEmptyDir(t)
	t.Setenv("TALLY_BODY_LIMIT", "lots")
	for _, cmd := range [][]string{{"serve"}, {"migrate"}, {"config"}, {"invoice", "list"}} {
		t.Run(strings.Join(cmd, " "), func(t *testing.T) {
			code, out, errOut := tally(t, cmd...)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			want := `tally: invalid TALLY_BODY_LIMIT "lots": want a positive size such as 8M, 512K or 1048576 (bytes)` + "\n"
			if errOut != want || out != "" {
				t.Errorf("stderr %q, stdout %q; want stderr %q", errOut, out, want)
			}
		})
	}
}
