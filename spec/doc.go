// Package spec is the contract Tally is built to, kept in the repository so
// that a clone stands alone: api.md (the HTTP API), pricing.md (the billing
// rules), architecture.md (the layers and seams) and scenarios/ (worked cases
// with exact totals, played by the tests of package scenario and used by the
// demo).
//
// The files are a copy of ../shared/spec, the contract shared with the other
// implementations. The copy is never edited here: when the shared folder
// changes, update it with
//
//	cp -r ../shared/spec/. spec/
//
// and TestInTreeSpecMatchesShared fails until that is done whenever
// ../shared/spec exists beside the repository (a plain clone has no such
// folder, and the test then passes, saying so). The Go files of this folder
// are not part of the copy and are left out of the comparison.
//
// The Go code here only finds the folders (Dir, ScenariosDir, SharedDir), so
// tests in any package can read the in-tree scenarios.
package spec
