package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/tallyhq/tally/app"
)

// commandTable is the README's table of commands, made from the tree.
func commandTable(root *cobra.Command) string {
	var b strings.Builder
	b.WriteString("| command | what it does |\n| --- | --- |\n")
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if !sub.IsAvailableCommand() || sub.Name() == "help" {
				continue
			}
			if sub.Runnable() && !sub.HasAvailableSubCommands() || sub.Name() == "completion" {
				use := sub.CommandPath()
				if _, rest, ok := strings.Cut(sub.Use, " "); ok {
					use += " " + rest
				}
				fmt.Fprintf(&b, "| `%s` | %s |\n", use, sub.Short)
				continue
			}
			walk(sub)
		}
	}
	walk(root)
	return b.String()
}

// settingsTable is the README's table of settings, made from app.Settings.
func settingsTable() string {
	var b strings.Builder
	b.WriteString("| variable | flag | default | meaning |\n| --- | --- | --- | --- |\n")
	for _, s := range app.Settings {
		flag := ""
		if s.Flag != "" {
			flag = "`--" + s.Flag + "`"
			for _, a := range aliases[s.Env] {
				flag += ", `--" + a + "`"
			}
		}
		def := "empty"
		switch {
		case s.Default == "Stripe's":
			def = s.Default
		case s.Default != "":
			def = "`" + s.Default + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", s.Env, flag, def, s.Doc)
	}
	return b.String()
}
