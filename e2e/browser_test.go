package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lucid-auth/lucid/internal/config"
)

// chrome starts a headless Debian Chromium for one test. Without Chromium
// the test skips, unless CI is set: there it must run.
func chrome(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set but chromium is not installed (apt-get install chromium)")
		}
		t.Skip("chromium is not installed; browser tests skipped (apt-get install chromium to run them)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1200, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	// A bound for a browser that hangs, not a speed test: a loaded
	// two-core machine takes over a minute for the longest test.
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	return ctx
}

// screenshotDir is where browser tests leave their screenshots for a
// reviewer: LUCID_SCREENSHOTS, or a folder under the system temp dir.
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("LUCID_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "lucid-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// shot saves a full-page screenshot for a reviewer to look at.
func shot(t *testing.T, name string) chromedp.Action[chromedp.Void] {
	return saveShot(t, name, chromedp.FullScreenshot(100)) // 100: lossless PNG
}

// viewShot saves what the window shows: for pages as long as the whole
// catalog, whose full-page picture costs a loaded machine many seconds.
func viewShot(t *testing.T, name string) chromedp.Action[chromedp.Void] {
	return saveShot(t, name, chromedp.CaptureScreenshot())
}

func saveShot(t *testing.T, name string, capture chromedp.Action[[]byte]) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		buf, err := capture(ctx, tg)
		if err != nil {
			return err
		}
		path := filepath.Join(screenshotDir(t), name+".png")
		t.Logf("screenshot: %s", path)
		return os.WriteFile(path, buf, 0o644)
	})
}

// into stores an action's value in *dst, so that value-returning steps can
// sit in one chromedp.Do sequence.
func into[T any](dst *T, a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		v, err := a(ctx, tg)
		*dst = v
		return err
	})
}

// TestBrowserDemoFlow clicks through the demo as a newcomer would: the demo
// page, sign-in, consent, and the result page with the decoded ID token.
func TestBrowserDemoFlow(t *testing.T) {
	ctx := chrome(t)
	l := start(t, func(c *config.Config) { c.Demo = true })
	var result, signInTitle, consentText string
	err := chromedp.Do(ctx,
		chromedp.Navigate(l.URL+"/demo"),
		chromedp.WaitVisible(chromedp.CSS("#demo-start")),
		shot(t, "01-demo-start"),
		chromedp.Click(chromedp.CSS("#demo-start")),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		into(&signInTitle, chromedp.Title()),
		shot(t, "02-sign-in"),
		chromedp.SendKeys(chromedp.CSS("#username"), "demo"),
		chromedp.SendKeys(chromedp.CSS("#password"), "demo-password-123"),
		chromedp.Click(chromedp.CSS("#sign-in")),
		chromedp.WaitVisible(chromedp.CSS("#allow")),
		into(&consentText, chromedp.Text(chromedp.CSS("main"))),
		shot(t, "03-consent"),
		chromedp.Click(chromedp.CSS("#allow")),
		chromedp.WaitVisible(chromedp.CSS("#sign-out")),
		into(&result, chromedp.Text(chromedp.CSS("body"))),
		shot(t, "04-signed-in"),
	)
	if err != nil {
		t.Fatalf("browser flow: %v", err)
	}
	if !strings.Contains(consentText, "Lucid Demo") {
		t.Errorf("consent page does not name the client: %q", consentText)
	}
	for _, want := range []string{"demo@example.com", `"iss"`, l.URL} {
		if !strings.Contains(result, want) {
			t.Errorf("result page lacks %q", want)
		}
	}

	// Signing out through the end_session_endpoint returns to the demo.
	var afterLogout string
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#sign-out")),
		chromedp.WaitVisible(chromedp.CSS("#demo-start")),
		into(&afterLogout, chromedp.Location()),
		shot(t, "05-signed-out"),
	)
	if err != nil {
		t.Fatalf("sign out: %v", err)
	}
	if !strings.HasPrefix(afterLogout, l.URL+"/demo") {
		t.Errorf("after logout the browser is at %s", afterLogout)
	}
}

// TestBrowserErrorPage shows the human error page for an unregistered
// redirect URI: never a redirect, and the catalog entry with its trace id.
func TestBrowserErrorPage(t *testing.T) {
	ctx := chrome(t)
	l := start(t, func(c *config.Config) { c.Demo = true })
	var text, location string
	err := chromedp.Do(ctx,
		chromedp.Navigate(l.URL+"/authorize?client_id=demo&response_type=code&scope=openid&redirect_uri=https%3A%2F%2Fevil.example%2Fcb"),
		chromedp.WaitVisible(chromedp.CSS("main")),
		into(&text, chromedp.Text(chromedp.CSS("main"))),
		into(&location, chromedp.Location()),
		shot(t, "06-error-page"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(location, l.URL) {
		t.Fatalf("the browser left Lucid: %s", location)
	}
	for _, want := range []string{"redirect_uri_not_registered", "https://evil.example/cb"} {
		if !strings.Contains(text, want) {
			t.Errorf("error page lacks %q: %s", want, text)
		}
	}
}
