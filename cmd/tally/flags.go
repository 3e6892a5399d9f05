package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/tallyhq/tally/app"
)

// settingFlags are the flags of one command that override settings of the
// environment (--addr over TALLY_ADDR, …).
type settingFlags struct {
	flags *pflag.FlagSet
	names map[string][]string // variable → its flags, e.g. TALLY_DATABASE_URL → db, database-url
}

// aliases are further flags of a setting besides its Flag.
var aliases = map[string][]string{"TALLY_DATABASE_URL": {"database-url"}}

// bindSettings adds to cmd a flag for each of the settings named by their
// variables (every setting that has a flag when none is named).
func bindSettings(cmd *cobra.Command, envs ...string) *settingFlags {
	f := &settingFlags{flags: cmd.Flags(), names: map[string][]string{}}
	for _, s := range app.Settings {
		if s.Flag == "" || (len(envs) > 0 && !contains(envs, s.Env)) {
			continue
		}
		for i, name := range append([]string{s.Flag}, aliases[s.Env]...) {
			usage := fmt.Sprintf("%s; %s (default %s)", plain(s.Doc), s.Env, orNone(s.Default))
			if i > 0 {
				usage = "same as --" + s.Flag
			}
			f.flags.Var(&settingValue{kind: kinds[s.Env]}, name, usage)
			if s.Allowed == "on or off" {
				f.flags.Lookup(name).NoOptDefVal = "on"
			}
			f.names[s.Env] = append(f.names[s.Env], name)
		}
	}
	return f
}

// lookup gives a setting from its flag when one was given, else from the
// environment.
func (f *settingFlags) lookup(s app.Setting) (string, string, bool) {
	for _, name := range f.names[s.Env] {
		if fl := f.flags.Lookup(name); fl != nil && fl.Changed {
			return fl.Value.String(), "--" + name, true
		}
	}
	return app.EnvLookup(s)
}

// given reports whether the setting of env was given by a flag or the
// environment.
func (f *settingFlags) given(env string) bool {
	s, _ := app.LookupSetting(env)
	_, _, ok := f.lookup(s)
	return ok
}

// load reads the settings, flags over environment; a bad flag value is a
// usage error (exit status 2), a bad variable a runtime one.
func (f *settingFlags) load() (app.Config, error) {
	c, err := app.Load(f.lookup)
	var se *app.SettingError
	if errors.As(err, &se) && strings.HasPrefix(se.From, "--") {
		return c, usageError{err}
	}
	return c, err
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// plain drops the README's markdown from a setting's text.
func plain(s string) string { return strings.ReplaceAll(s, "`", "") }

func orNone(s string) string {
	if s == "" {
		return "empty"
	}
	return s
}

// settingValue is a setting's flag: its raw text, parsed with the other
// settings by app.Load.
type settingValue struct {
	text string
	kind string
}

func (v *settingValue) String() string     { return v.text }
func (v *settingValue) Set(s string) error { v.text = s; return nil }

// Type names the value in help ("string" unless kinds says otherwise).
func (v *settingValue) Type() string {
	if v.kind == "" {
		return "string"
	}
	return v.kind
}

// kinds name the values of the settings' flags in help.
var kinds = map[string]string{
	"TALLY_ADDR": "HOST:PORT", "TALLY_DATABASE_URL": "URL", "TALLY_URL": "URL", "TALLY_ROOT_KEY": "KEY",
	"TALLY_SCHEDULER": "on|off", "TALLY_TEST_CLOCK": "on|off", "TALLY_LOG_LEVEL": "level",
	"TALLY_INVOICE_SCHEDULE": "cron", "TALLY_FINALIZE_SCHEDULE": "cron", "TALLY_STRIPE_SYNC_SCHEDULE": "cron", "TALLY_WEBHOOK_SCHEDULE": "cron",
	"TALLY_FINALIZE_GRACE": "duration", "TALLY_SHUTDOWN_TIMEOUT": "duration", "TALLY_BODY_LIMIT": "size", "TALLY_RATE_LIMIT": "number",
}
