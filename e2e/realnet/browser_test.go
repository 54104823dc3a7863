package realnet_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cohost-rtc/cohost/internal/config"
)

const envBrowser = "COHOST_REALNET_BROWSER"

// chromium finds the browser: $COHOST_CHROMIUM, else chromium on PATH.
func chromium() string {
	if p := os.Getenv("COHOST_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestUDPBlockedBrowserWithProxy: chromium in a namespace whose UDP to
// the server is dropped calls startProxyServer(5) before joining and
// receives the Go host's audio through TURN over TLS on the HTTPS port.
func TestUDPBlockedBrowserWithProxy(t *testing.T) {
	if chromium() == "" {
		unavailable(t, "chromium is not installed (apt-get install -y chromium)")
	}
	ns := newNetns(t)
	ns.blockUDP(t)
	certFile, keyFile := selfSigned(t, ns.hostIP)
	srv := startServer(t, ns, func(c *config.Config) { c.TLSCert, c.TLSKey = certFile, keyFile })
	runHelper(t, ns, "^TestNamespaceBrowser$", []string{envBrowser + "=1", envURL + "=" + srv.URL, envApp + "=" + srv.TestAppID,
		envChannel + "=realnet", envProxy + "=5"}, relayed(srv))
}

// TestUDPBlockedBrowserFallsBackToTURN: the same browser without a proxy
// gets the audio too: ICE falls back to the TURN relay over TCP or TLS
// the join handed out.
func TestUDPBlockedBrowserFallsBackToTURN(t *testing.T) {
	if chromium() == "" {
		unavailable(t, "chromium is not installed (apt-get install -y chromium)")
	}
	ns := newNetns(t)
	ns.blockUDP(t)
	certFile, keyFile := selfSigned(t, ns.hostIP)
	srv := startServer(t, ns, func(c *config.Config) { c.TLSCert, c.TLSKey = certFile, keyFile })
	runHelper(t, ns, "^TestNamespaceBrowser$", []string{envBrowser + "=1", envURL + "=" + srv.URL, envApp + "=" + srv.TestAppID,
		envChannel + "=realnet", envProxy + "=0"}, relayed(srv))
}

// TestUDPBlockedBrowserUsesICETCP: with mediaTCP on and no TURN, the same
// browser receives the audio on the fan-out transport over ICE-TCP (its
// selected pair's local candidate a TCP one, not relayed), the only way
// left.
func TestUDPBlockedBrowserUsesICETCP(t *testing.T) {
	if chromium() == "" {
		unavailable(t, "chromium is not installed (apt-get install -y chromium)")
	}
	ns := newNetns(t)
	ns.blockUDP(t)
	srv := startServer(t, ns, func(c *config.Config) {
		c.MediaTCP = true
		c.TURN.Mode = config.TURNOff
		c.ICE.AllowPrivateCandidates = config.PrivateCandidatesAllow // the host beside the server
	})
	runHelper(t, ns, "^TestNamespaceBrowser$", []string{envBrowser + "=1", envURL + "=" + srv.URL, envApp + "=" + srv.TestAppID,
		envChannel + "=realnet", envProxy + "=0", envICETCP + "=1"}, func() error { return nil })
}

// TestNamespaceBrowser is the browser half of the tests above, run
// inside the namespace; run directly it skips.
func TestNamespaceBrowser(t *testing.T) {
	if os.Getenv(envBrowser) == "" {
		t.Skip("the browser half of the namespace tests, started by them inside the namespace")
	}
	dir := t.TempDir()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium()), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(dir),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("ignore-certificate-errors", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 2*waitTimeout)
	defer cancelT()
	base := os.Getenv(envURL)
	app, _ := json.Marshal(os.Getenv(envApp))
	channel, _ := json.Marshal(os.Getenv(envChannel))
	join := fmt.Sprintf(`(async () => {
		await new Promise((resolve, reject) => {
			const s = document.createElement("script");
			s.src = "/sdk/cohost-rtc.js";
			s.onload = resolve;
			s.onerror = () => reject(new Error("cannot load the SDK"));
			document.head.appendChild(s);
		});
		const c = AgoraRTC.createClient({mode: "live", codec: "vp8"});
		window.c = c;
		c.on("user-published", (u, mt) => { if (mt === "audio") c.subscribe(u, mt).catch((e) => { window.subErr = String(e); }); });
		if (%s !== 0) c.startProxyServer(%[1]s);
		await c.join(%s, %s, null, 3);
		return "joined";
	})()`, os.Getenv(envProxy), app, channel)
	// The namespace's interfaces may still be settling (an IPv6 address
	// becoming valid): Chromium then fails the load with
	// ERR_NETWORK_CHANGED, and a new attempt succeeds.
	for attempt := 1; ; attempt++ {
		err := chromedp.Do(ctx, chromedp.Navigate(base+"/healthz"))
		if err == nil {
			break
		}
		if !strings.Contains(err.Error(), "ERR_NETWORK_CHANGED") || attempt == 10 {
			t.Fatalf("open %s in chromium (attempt %d): %v", base, attempt, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[string](join, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatalf("join in chromium: %v", err)
	}
	// Audio bytes arrive on a relayed TCP candidate pair (a host TCP one
	// for ICE-TCP).
	const probe = `(async () => {
		const pc = window.c && window.c._down;
		if (!pc) return "no downstream connection";
		const stats = await pc.getStats();
		let bytes = 0, pair;
		stats.forEach((s) => {
			if (s.type === "inbound-rtp" && s.kind === "audio") bytes += s.bytesReceived || 0;
			if (s.type === "transport" && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId);
		});
		const local = pair && stats.get(pair.localCandidateId);
		return bytes > 0 ? "received over " + (local ? local.candidateType + " " + (local.relayProtocol || local.protocol || "") : "?") : "waiting";
	})()`
	deadline := time.Now().Add(2 * waitTimeout)
	for {
		state, err := chromedp.Run(ctx, chromedp.Evaluate[string](probe, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("probe: %v", err)
		}
		ok := state == "received over relay tls" || state == "received over relay tcp"
		if os.Getenv(envICETCP) != "" {
			// An active TCP candidate: chromium calls it peer-reflexive
			// once the server's answer names its source port.
			ok = state == "received over host tcp" || state == "received over prflx tcp"
		}
		if ok {
			fmt.Println("VIEWER-RECEIVED " + state)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("chromium got no audio: %s", state)
		}
		time.Sleep(200 * time.Millisecond)
	}
	waitStdin()
}
