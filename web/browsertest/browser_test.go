package browsertest

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/cohost-rtc/cohost/internal/servertest"
)

// waitTimeout bounds every wait for a condition in a page.
const waitTimeout = 30 * time.Second

//go:embed testdata/harness.js
var harnessJS string

// browser is the one Chromium process the package's tests share; each test
// opens its pages as tabs of it.
var browser struct {
	once    sync.Once
	ctx     context.Context
	cancel  func()
	dataDir string
	err     error
}

func TestMain(m *testing.M) {
	if chromiumPath() == "" {
		if os.Getenv("CI") != "" {
			fmt.Fprintln(os.Stderr, "browsertest: chromium is not installed, and CI is set: the browser tests fail (apt-get install -y chromium)")
		} else {
			fmt.Fprintln(os.Stderr, "browsertest: chromium is not installed: the browser tests are SKIPPED (apt-get install -y chromium to run them)")
		}
	}
	code := m.Run()
	if browser.cancel != nil {
		browser.cancel()
	}
	if browser.dataDir != "" {
		_ = os.RemoveAll(browser.dataDir)
	}
	os.Exit(code)
}

// chromiumPath finds the browser: $COHOST_CHROMIUM, else Debian's chromium
// (or a Chrome) on PATH.
func chromiumPath() string {
	if p := os.Getenv("COHOST_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browserContext returns the shared browser, starting it on first use. Without
// chromium the test is skipped, or fails when the CI environment variable
// is set.
func browserContext(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is not installed (apt-get install -y chromium); browser tests must run in CI")
		}
		t.Skip("SKIPPED: chromium is not installed (apt-get install -y chromium to run the browser tests)")
	}
	browser.once.Do(func() {
		dir, err := os.MkdirTemp("", "cohost-chromium-")
		if err != nil {
			browser.err = err
			return
		}
		browser.dataDir = dir
		opts := []chromedp.ExecAllocatorOption{
			chromedp.ExecPath(path),
			chromedp.Headless,
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.NoFirstRun,
			chromedp.NoDefaultBrowserCheck,
			chromedp.UserDataDir(dir),
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-dev-shm-usage", true),
			chromedp.Flag("disable-background-timer-throttling", true),
			chromedp.Flag("disable-backgrounding-occluded-windows", true),
			chromedp.Flag("disable-renderer-backgrounding", true),
			chromedp.Flag("use-fake-device-for-media-stream", true),
			chromedp.Flag("use-fake-ui-for-media-stream", true),
			chromedp.Flag("allow-loopback-in-peer-connection", true),
			chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
			chromedp.WindowSize(800, 600),
			chromedp.CombinedOutput(&browserOutput),
		}
		allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelCtx := chromedp.NewContext(allocCtx)
		browser.ctx = ctx
		browser.cancel = func() { cancelCtx(); cancelAlloc() }
		// The first Run starts the browser, which lives as long as its
		// context: that context must have no timeout.
		_, browser.err = chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`1`))
	})
	if browser.err != nil {
		t.Fatalf("start chromium: %v", browser.err)
	}
	return browser.ctx
}

// browserOutput keeps the end of the browser's stdout and stderr, logged
// when a test fails.
var browserOutput tailBuffer

// dumpedOutput is set once the browser output has been logged.
var dumpedOutput atomic.Bool

// tailBuffer is an io.Writer that keeps the last 16 KiB written.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if n := len(b.buf) - 16<<10; n > 0 {
		b.buf = b.buf[n:]
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}

// page is one browser tab with the SDK and the test helpers loaded from a
// cohost server.
type page struct {
	t    *testing.T
	name string
	ctx  context.Context

	mu      sync.Mutex
	console []string
}

// newPage opens a tab on srv, loads /sdk/cohost-rtc.js and
// /sdk/cohost-rtm.js from it (so the SDKs talk to that server) and the
// helpers. The tab closes when the test ends;
// its console is logged if the test failed.
func newPage(t *testing.T, srv *servertest.Server, name string) *page {
	t.Helper()
	return openPage(t, srv, name, "/sdk/cohost-rtc.js", "/sdk/cohost-rtm.js")
}

// openPage opens a tab on srv, loads the scripts (paths on srv) and the
// helpers. Without scripts the page has no SDK until the test loads one
// (an application bundle).
func openPage(t *testing.T, srv *servertest.Server, name string, scripts ...string) *page {
	t.Helper()
	return openPageAt(t, srv.URL, name, scripts...)
}

// openPageAt opens a tab on the server at base (an HTTP base URL) as
// openPage does.
func openPageAt(t *testing.T, base, name string, scripts ...string) *page {
	t.Helper()
	bctx := browserContext(t)
	p := &page{t: t, name: name}
	ctx, cancel := chromedp.NewContext(bctx, chromedp.WithListener(func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			var parts []string
			for _, a := range e.Args {
				if a.Value != nil {
					parts = append(parts, string(a.Value))
				} else {
					parts = append(parts, a.Description)
				}
			}
			p.addConsole(string(e.Type) + ": " + strings.Join(parts, " "))
		case *runtime.EventExceptionThrown:
			p.addConsole(fmt.Sprintf("exception: %s %v", e.ExceptionDetails.Text, e.ExceptionDetails.Exception))
		}
	}))
	p.ctx = ctx
	t.Cleanup(func() {
		if t.Failed() {
			p.dump()
			if out := browserOutput.String(); out != "" && !dumpedOutput.Swap(true) {
				t.Logf("browser output (end):\n%s", out)
			}
		}
		cancel()
	})
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/healthz")); err != nil {
		t.Fatalf("%s: open page: %v", name, err)
	}
	list, _ := json.Marshal(append([]string{}, scripts...))
	p.run(`for (const src of ` + string(list) + `) {
		await new Promise((resolve, reject) => {
			const s = document.createElement("script");
			s.src = src;
			s.onload = resolve;
			s.onerror = () => reject(new Error("cannot load " + src));
			document.head.appendChild(s);
		});
	}
	document.body.textContent = "";`)
	p.run(harnessJS)
	return p
}

func (p *page) addConsole(line string) {
	p.mu.Lock()
	p.console = append(p.console, line)
	p.mu.Unlock()
}

// dump logs the page's console and event log (after a failure).
func (p *page) dump() {
	p.mu.Lock()
	lines := append([]string(nil), p.console...)
	p.mu.Unlock()
	for _, l := range lines {
		p.t.Logf("%s console: %s", p.name, l)
	}
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	log, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.T ? T.log : []`))
	if err != nil {
		p.t.Logf("%s: cannot read the event log: %v", p.name, err)
		return
	}
	p.t.Logf("%s events:\n\t%s", p.name, strings.Join(log, "\n\t"))
	stats, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.T && T.mediaStats ? T.mediaStats() : ""`, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Logf("%s: cannot read the media statistics: %v", p.name, err)
		return
	}
	p.t.Logf("%s media:\n\t%s", p.name, strings.ReplaceAll(stats, "\n", "\n\t"))
}

// evalJS runs body as the body of an async function in the page and
// decodes what it returns into T.
func evalJS[T any](p *page, body string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T]("(async () => {\n"+body+"\n})()", chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("%s: %v\nin:\n%s", p.name, err, body)
	}
	return v
}

// run runs body (async function body) in the page.
func (p *page) run(body string) {
	p.t.Helper()
	evalJS[chromedp.Void](p, body)
}

// str runs body and returns its string result.
func (p *page) str(body string) string {
	p.t.Helper()
	return evalJS[string](p, body)
}

// num runs body and returns its numeric result.
func (p *page) num(body string) float64 {
	p.t.Helper()
	return evalJS[float64](p, body)
}

// waitFor polls the JavaScript expression cond until it is truthy.
func (p *page) waitFor(what, cond string) {
	p.t.Helper()
	p.waitForOr(what, cond, "")
}

// waitForOr is waitFor that, when the wait times out, also reports what
// the script diag returns (the page's state that tells why).
func (p *page) waitForOr(what, cond, diag string) {
	p.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		ctx, cancel := context.WithTimeout(p.ctx, waitTimeout)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+cond+")", chromedp.EvalAwaitPromise))
		cancel()
		if err != nil {
			p.t.Fatalf("%s: waiting for %s: %v", p.name, what, err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			if diag != "" {
				dctx, dcancel := context.WithTimeout(p.ctx, 10*time.Second)
				got, err := chromedp.Run(dctx, chromedp.Evaluate[string]("(async () => {\n"+diag+"\n})()", chromedp.EvalAwaitPromise))
				dcancel()
				p.t.Logf("%s: %s (%v)", p.name, got, err)
			}
			p.t.Fatalf("%s: timed out after %v waiting for %s (%s)", p.name, waitTimeout, what, cond)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitEvent waits until the page's event log has line.
func (p *page) waitEvent(line string) {
	p.t.Helper()
	p.waitFor(fmt.Sprintf("event %q", line), "T.has("+jsString(line)+")")
}

// hasEvent reports whether the page's event log has line.
func (p *page) hasEvent(line string) bool {
	p.t.Helper()
	return evalJS[bool](p, "return T.has("+jsString(line)+")")
}

// waitDecoding waits until client's framesDecoded for uid's video has grown
// by at least 10 frames from what it is now: the video is being decoded.
func (p *page) waitDecoding(client string, uid uint32) {
	p.t.Helper()
	expr := fmt.Sprintf("T.decoded(%s, %d)", jsString(client), uid)
	start := p.num("return " + expr)
	p.waitForOr(fmt.Sprintf("%s decoding the video of %d (framesDecoded > %v)", client, uid, start+10),
		fmt.Sprintf("%s > %v", expr, start+10), "return T.mediaStats()")
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
