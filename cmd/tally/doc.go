// Command tally is Tally's one binary: the API server, migrations, the demo
// and the operator's tools.
//
//	tally serve     run the API (migrates first)
//	tally migrate   apply pending migrations and exit
//	tally demo      run on a fresh embedded database filled with demo data
//	tally scenario  play billing scenario files against a server
//	tally version   print the version
package main
