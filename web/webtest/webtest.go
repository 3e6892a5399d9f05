package webtest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Widths are the viewport widths every main page is looked at: a desktop
// and a phone.
var Widths = []Width{{"desktop", 1280, 900, false}, {"phone", 390, 844, true}}

// Width is one viewport.
type Width struct {
	Name          string
	Width, Height int64
	Mobile        bool
}

// binary returns the Chromium to run, or "".
func binary() string {
	if b := os.Getenv("TALLY_CHROMIUM"); b != "" {
		return b
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Browser starts a headless Chromium for the test (closed at cleanup) and
// returns a browser tab's context, with a 90 s budget for the whole test.
// Without Chromium it skips the test (outside CI) or fails it (CI=true).
func Browser(t *testing.T) context.Context {
	t.Helper()
	bin := binary()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed; .ci/install installs it (apt-get install chromium)")
		}
		t.Skip("skipped: no chromium on PATH (apt-get install chromium, or set TALLY_CHROMIUM); CI runs this test")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelT(); cancelB(); cancelA() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("start chromium (%s): %v", bin, err)
	}
	return ctx
}

// Do runs chromedp actions in order, failing the test with what on error.
func Do(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// Get runs one chromedp action that returns a value, failing the test with
// what on error.
func Get[T any](t *testing.T, ctx context.Context, what string, action chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, action)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// Dir is the screenshot folder: .screenshots/ at the repository root
// (git-ignored).
func Dir(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, ".screenshots")
		}
		if filepath.Dir(d) == d {
			return filepath.Join(wd, ".screenshots")
		}
	}
}

// Screenshot saves the current page as .screenshots/<name>-<width>.png at
// every width of Widths (full page), then restores the desktop viewport.
func Screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := Dir(t)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, w := range Widths {
		opts := []chromedp.EmulateViewportOption{}
		if w.Mobile {
			opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
		}
		err := chromedp.Do(ctx, chromedp.EmulateViewport(w.Width, w.Height, opts...), chromedp.Sleep(150*time.Millisecond))
		var png []byte
		if err == nil {
			png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
		}
		if err != nil {
			t.Fatalf("screenshot %s at %s: %v", name, w.Name, err)
		}
		file := filepath.Join(dir, safe(name)+"-"+w.Name+".png")
		if err := os.WriteFile(file, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	Do(t, ctx, "restore viewport", chromedp.EmulateViewport(Widths[0].Width, Widths[0].Height))
}

func safe(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, s)
}
