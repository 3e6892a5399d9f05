// Command tally is Tally's one binary: the API server, migrations, the demo
// and the operator's tools, on spf13/cobra.
//
//	tally serve                 run the API (migrates first)
//	tally migrate               apply pending migrations and exit
//	tally demo                  run on a fresh embedded database filled with demo data
//	tally scenario run FILE...  play billing scenario files against a server
//	tally invoice run|list|show invoices, against the configured database
//	tally config                print the effective settings, secrets masked
//	tally version               print the version, commit and build date
//	tally completion SHELL      shell completion
//
// Every command has --help. Settings come from the environment (app.Settings)
// and a command's flags override them. Bad arguments or flags exit with
// status 2 and a usage line on stderr; failures at run time with status 1.
// The README's command and settings tables are generated from the tree
// (readme.go; go test -run TestREADME -update).
package main
