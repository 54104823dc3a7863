package browsertest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/cohost-rtc/cohost/internal/servertest"
)

// newDemoPage opens the demo app at / with query in a tab of the given size.
func newDemoPage(t *testing.T, srv *servertest.Server, name, query string, width, height int64) *page {
	t.Helper()
	bctx := browserContext(t)
	p := &page{t: t, name: name}
	ctx, cancel := chromedp.NewContext(bctx, chromedp.WithListener(func(ev any) {
		if e, ok := ev.(*runtime.EventExceptionThrown); ok {
			p.addConsole(fmt.Sprintf("exception: %s %v", e.ExceptionDetails.Text, e.ExceptionDetails.Exception))
		}
	}))
	p.ctx = ctx
	t.Cleanup(func() {
		if t.Failed() {
			p.dump()
		}
		cancel()
	})
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height), chromedp.Navigate(srv.URL+"/?"+query)); err != nil {
		t.Fatalf("%s: open the demo: %v", name, err)
	}
	p.waitFor("the demo to detect development mode", `!document.getElementById("dev-box").hidden`)
	return p
}

// screenshot saves the page as docs/screenshots/<file> when
// COHOST_SCREENSHOTS names that directory (the tests do not write into
// the repository otherwise).
func (p *page) screenshot(file string) {
	p.t.Helper()
	dir := os.Getenv("COHOST_SCREENSHOTS")
	if dir == "" {
		return
	}
	// Let transitions and the latest video frames settle.
	p.run(`await new Promise((r) => setTimeout(r, 700))`)
	ctx, cancel := context.WithTimeout(p.ctx, waitTimeout)
	defer cancel()
	shot := chromedp.FullScreenshot(100)
	if p.str(`return document.getElementById("dialog").hidden ? "" : "dialog"`) != "" {
		shot = chromedp.CaptureScreenshot() // the viewport, which the dialog covers
	}
	png, err := chromedp.Run(ctx, shot)
	if err != nil {
		p.t.Fatalf("%s: screenshot: %v", p.name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, file), png, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// noOverflow checks that the page does not scroll sideways: the layout
// fits the viewport (phone widths included).
func (p *page) noOverflow(what string) {
	p.t.Helper()
	if w := p.str(`return document.documentElement.scrollWidth > innerWidth ? document.documentElement.scrollWidth + " > " + innerWidth : ""`); w != "" {
		p.t.Errorf("%s: %s is wider than the viewport (%s)", p.name, what, w)
	}
}

// click clicks the element matched by the CSS selector.
func (p *page) click(selector string) {
	p.t.Helper()
	p.waitFor("element "+selector, fmt.Sprintf(`document.querySelector(%s)`, jsString(selector)))
	p.run(fmt.Sprintf(`document.querySelector(%s).click()`, jsString(selector)))
}

// demoDecoding waits until the demo's client decodes uid's video.
func (p *page) demoDecoding(uid int) {
	p.t.Helper()
	expr := fmt.Sprintf(`((demo.rtc && demo.rtc.getRemoteVideoStats()[%d]) || {}).framesDecoded || 0`, uid)
	start := p.num("return " + expr)
	p.waitFor(fmt.Sprintf("the demo decoding %d's video", uid), fmt.Sprintf("%s > %v", expr, start+10))
}

// TestDemoApp drives the demo app at / through seed 000 and a PK between
// two channels, as a person would with clicks: a host, a viewer (at phone
// width) and the host of a second channel. With COHOST_SCREENSHOTS=dir it
// saves a screenshot of each state there (docs/screenshots).
func TestDemoApp(t *testing.T) {
	srv := servertest.Start(t)
	if dir := os.Getenv("COHOST_SCREENSHOTS"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	const res = "res=240p_1"
	host := newDemoPage(t, srv, "host", "channel=demo&uid=1001&"+res, 1280, 860)
	host.screenshot("demo-join.png")
	host.noOverflow("the join form")
	host.click("#join-btn")
	host.waitFor("the host to be live", `demo.rtc && demo.rtc.connectionState === "CONNECTED" && demo.rtc.localTracks.length === 2`)
	host.waitFor("the host's RTM login", `demo.rtmChannel !== null`)

	viewer := newDemoPage(t, srv, "viewer", "channel=demo&uid=2001&role=audience&"+res, 390, 844)
	viewer.screenshot("demo-join-phone.png")
	viewer.noOverflow("the join form")
	viewer.click("#join-btn")
	viewer.waitFor("the viewer to see the host", `document.querySelector("#tile-1001.has-video")`)
	viewer.demoDecoding(1001)

	// Seed 000: the host sees the viewer and invites it up.
	host.waitFor("the viewer in the audience list", `document.querySelector('#audience li[data-uid="2001"] [data-action="invite"]')`)
	host.screenshot("demo-host.png")
	host.click(`#audience li[data-uid="2001"] [data-action="invite"]`)
	viewer.waitFor("the invitation", `!document.getElementById("dialog").hidden`)
	viewer.screenshot("demo-invite-phone.png")
	viewer.click("#dialog-yes")
	viewer.waitFor("the viewer on stage", `demo.rtc.role === "host" && demo.rtc.localTracks.length > 0`)
	host.waitFor("the announcement", `demo.attrs["cohost-2001"] && document.querySelector("#attrs li")`)
	host.waitFor("the co-host's video", `document.querySelector("#tile-2001.has-video")`)
	host.demoDecoding(2001)
	viewer.demoDecoding(1001)
	host.screenshot("demo-cohost.png")
	viewer.screenshot("demo-cohost-phone.png")
	host.noOverflow("the live view")
	viewer.noOverflow("the live view")

	// The host sends the co-host back.
	host.click(`#tile-2001 [data-action="send-back"]`)
	viewer.waitFor("the viewer back in the audience", `demo.rtc.role === "audience" && demo.rtc.localTracks.length === 0`)
	host.waitFor("the co-host's tile gone", `!document.getElementById("tile-2001")`)
	host.waitFor("the announcement gone", `!demo.attrs["cohost-2001"]`)

	// PK with the host of another channel.
	other := newDemoPage(t, srv, "other", "channel=demo-2&uid=3001&"+res, 1280, 860)
	other.click("#join-btn")
	other.waitFor("the other host live", `demo.rtc && demo.rtc.localTracks.length === 2 && demo.rtmChannel !== null`)
	host.run(`document.getElementById("pk-channel").value = "demo-2";
		document.getElementById("pk-uid").value = "3001";`)
	host.click("#pk-start")
	other.waitFor("the PK challenge", `!document.getElementById("dialog").hidden`)
	other.screenshot("demo-pk-invite.png")
	other.click("#dialog-yes")
	for _, p := range []*page{host, other} {
		p.waitFor("the relay running", `document.getElementById("relay-state").dataset.state === "RELAY_STATE_RUNNING"`)
	}
	host.demoDecoding(3001)
	other.demoDecoding(1001)
	viewer.waitFor("the viewer seeing the PK", `document.querySelector("#tile-3001.has-video")`)
	viewer.demoDecoding(3001)
	host.screenshot("demo-pk.png")
	viewer.screenshot("demo-pk-phone.png")
	viewer.noOverflow("the PK view")
	events := evalJS[string](host, `return Array.from(document.querySelectorAll("#relay-events li")).map((l) => l.textContent).join("\n")`)
	for _, want := range []string{"RELAY_STATE_RUNNING RELAY_OK", "PACKET_SENT_TO_DEST_CHANNEL · demo-2"} {
		if !strings.Contains(events, want) {
			t.Errorf("the host's relay panel lacks %q:\n%s", want, events)
		}
	}

	host.click("#pk-stop")
	for _, p := range []*page{host, other} {
		p.waitFor("the relay idle", `document.getElementById("relay-state").dataset.state === "RELAY_STATE_IDLE"`)
	}
	viewer.waitFor("the PK tile gone", `!document.getElementById("tile-3001")`)

	// Leave returns to the form.
	viewer.click("#leave")
	viewer.waitFor("the join form", `!document.getElementById("join-view").hidden`)
	host.waitFor("the viewer gone from the audience", `!document.querySelector('#audience li[data-uid="2001"]')`)
}
