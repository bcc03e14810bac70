// Package browsertest starts headless Chromium (Debian's chromium package)
// for end-to-end tests of login pages, driven with chromedp. It is a module
// of its own so that the library's go.mod does not depend on chromedp. Its
// tests sign in at the development provider in a real browser, and drive
// the web example (examples/webflow, whose handler is the package
// examples/webflow/app) through the whole browser login. Run them with:
//
//	cd examples/browsertest && go test -race ./...
//
// The browser is kept to loopback: every host but localhost and 127.0.0.1,
// names and IP literals alike, fails to resolve, and there is no proxy, no
// sync, no component or background update. Without Chromium a test is skipped, with a message; under CI
// (CI=true), where .ci/run installs it, a missing Chromium fails the test.
package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ChromiumEnv names the environment variable that may give Chromium's path.
const ChromiumEnv = "BROWSERTEST_CHROMIUM"

// StartTimeout bounds how long Chromium may take to start.
const StartTimeout = 30 * time.Second

// Start launches a fresh headless Chromium (its own empty profile) for t
// and returns a chromedp context for one tab in it; the browser is closed
// when t ends, and if t failed a screenshot of the tab is saved and its
// path logged. Give chromedp.Run a context derived from it with a
// timeout. Start skips t when Chromium is missing, or fails it under CI.
func Start(t testing.TB) context.Context {
	t.Helper()
	path := requireChromium(t, os.Getenv, exec.LookPath)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.NoSandbox, // root in CI; the pages are the test's own
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.WindowSize(1024, 768),
		// Never the network: no QUIC, no background fetches, no proxy, and
		// nothing but localhost and 127.0.0.1 resolves.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("disable-client-side-phishing-detection", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("no-proxy-server", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"),
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter,AutofillServerCommunication"),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		chromedp.Flag("metrics-recording-only", true),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	log := &testLog{t: t}
	ctx, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithErrorf(log.printf))
	// Cancelling the allocator waits for Chromium to exit, before the
	// profile directory (an earlier cleanup) is removed.
	t.Cleanup(func() {
		log.stop()
		cancelTab()
		cancelAlloc()
	})

	timer := time.AfterFunc(StartTimeout, cancelTab)
	err := chromedp.Do(ctx) // the first run starts the browser
	if !timer.Stop() {
		err = errors.Join(err, fmt.Errorf("not started within %v", StartTimeout))
	}
	if err != nil {
		t.Fatalf("browsertest: starting %s: %v", path, err)
	}
	t.Cleanup(func() { screenshotOnFailure(t, ctx) })
	return ctx
}

// requireChromium returns Chromium's path: $BROWSERTEST_CHROMIUM, or
// chromium (Debian's) or chromium-browser on $PATH. When there is none it
// fails t under CI and skips it elsewhere.
func requireChromium(t testing.TB, getenv func(string) string, lookPath func(string) (string, error)) string {
	t.Helper()
	if p := getenv(ChromiumEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("browsertest: %s=%s: %v", ChromiumEnv, p, err)
		}
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := lookPath(name); err == nil {
			return p
		}
	}
	const msg = "browsertest: no Chromium on PATH (Debian: apt-get install chromium; or set " + ChromiumEnv + ")"
	if getenv("CI") == "true" {
		t.Fatalf("%s: CI must run the browser tests; .ci/run installs it", msg)
	}
	t.Skipf("%s: browser test SKIPPED", msg)
	return ""
}

// testLog passes chromedp's errors to t.Logf until the test is over.
type testLog struct {
	mu      sync.Mutex
	t       testing.TB
	stopped bool
}

func (l *testLog) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.stopped {
		l.t.Logf("chromedp: "+format, args...)
	}
}

func (l *testLog) stop() {
	l.mu.Lock()
	l.stopped = true
	l.mu.Unlock()
}

// screenshotOnFailure saves the tab as a PNG outside the test's temporary
// directories, so that it outlives the test, and logs where.
func screenshotOnFailure(t testing.TB, ctx context.Context) {
	if !t.Failed() || ctx.Err() != nil {
		return
	}
	shotCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(shotCtx, chromedp.FullScreenshot(100)) // 100: PNG
	if err != nil {
		t.Logf("browsertest: no screenshot: %v", err)
		return
	}
	dir, err := os.MkdirTemp("", "browsertest-")
	if err == nil {
		file := filepath.Join(dir, filepath.Base(t.Name())+".png")
		if err = os.WriteFile(file, png, 0o644); err == nil {
			t.Logf("browsertest: screenshot of the failed page: %s", file)
			return
		}
	}
	t.Logf("browsertest: saving the screenshot: %v", err)
}
