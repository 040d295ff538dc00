package testkit

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// EnvBrowser set to 1 makes a missing browser a failure instead of a skip
// (CI sets it, so the browser tests can never silently not run there).
const EnvBrowser = "PORTICO_TEST_BROWSER"

// Browser starts headless Chromium for one test and returns its context.
func Browser(t testing.TB) context.Context {
	t.Helper()
	path := "/usr/bin/chromium"
	if p, err := exec.LookPath("chromium"); err == nil {
		path = p
	}
	if _, err := os.Stat(path); err != nil {
		if os.Getenv(EnvBrowser) == "1" {
			t.Fatalf("%s=1 but Chromium is not installed at %s", EnvBrowser, path)
		}
		t.Skipf("Chromium not installed; set %s=1 to make this a failure", EnvBrowser)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-sync", true),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}
