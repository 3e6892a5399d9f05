// Package webtest drives the pages in a real headless Chromium for tests,
// through chromedp: Browser starts one (Debian's `chromium`, or the binary
// TALLY_CHROMIUM names), skipping the test with a message when none is
// installed outside CI and failing it in CI, where .ci/install installs
// it. Screenshot saves full-page PNGs under the git-ignored .screenshots/
// folder at the repository root, at the desktop and phone widths.
package webtest
