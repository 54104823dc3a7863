package browsertest

import (
	"testing"

	"github.com/cohost-rtc/cohost/internal/config"
	"github.com/cohost-rtc/cohost/internal/servertest"
)

// TestCloudProxyRelaysMedia: a viewer that called startProxyServer(3)
// before join decodes the host's video through the server's TURN relay
// (its peer connection has relay candidates only); another with (5) does
// too, over TURN over TCP since this server has no TLS. The proxy cannot
// change in a channel; stopProxyServer after leave returns to direct
// connections.
func TestCloudProxyRelaysMedia(t *testing.T) {
	srv := servertest.Start(t, func(c *config.Config) { c.TURN.Mode, c.TURN.Port = config.TURNEmbedded, 0 })
	host := newPage(t, srv, "host")
	viewer := newPage(t, srv, "viewer")
	app := jsString(srv.TestAppID)
	viewer.run(howJS)

	host.run(`const c = T.newClient("host", {mode: "live", codec: "vp8", role: "host"});
		await c.join(` + app + `, "proxied", null, 11);
		await c.publish([await T.camera("cam")]);`)
	for _, mode := range []string{"3", "5"} {
		viewer.run(`const c = T.newClient("viewer` + mode + `", {mode: "live", codec: "vp8"}, true);
			c.startProxyServer(` + mode + `);
			await c.join(` + app + `, "proxied", null, 2` + mode + `);`)
		viewer.waitEvent("viewer" + mode + " subscribed 11 video")
		viewer.waitDecoding("viewer"+mode, 11)
		if got := viewer.str(`const pc = T.clients.viewer` + mode + `._down;
			const stats = await pc.getStats();
			let pair;
			stats.forEach((s) => { if (s.type === "transport" && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId); });
			const local = pair && stats.get(pair.localCandidateId);
			return local ? local.candidateType + " " + (local.relayProtocol || "") : "none";`); got != map[string]string{"3": "relay udp", "5": "relay tcp"}[mode] {
			t.Errorf("startProxyServer(%s): the viewer's selected local candidate is %q", mode, got)
		}
		if got := viewer.str(`return how(() => T.clients.viewer` + mode + `.stopProxyServer())`); got != "throw INVALID_OPERATION" {
			t.Errorf("stopProxyServer in a channel: %s, want throw INVALID_OPERATION", got)
		}
		viewer.run(`await T.clients.viewer` + mode + `.leave(); T.clients.viewer` + mode + `.stopProxyServer();`)
	}
}

// TestCloudProxyWithoutTURN: a join with a forced proxy on a server that
// offers no TURN relay fails with CAN_NOT_GET_PROXY_SERVER and leaves.
func TestCloudProxyWithoutTURN(t *testing.T) {
	srv := servertest.Start(t)
	p := newPage(t, srv, "p")
	p.run(howJS)
	got := p.str(`const c = T.newClient("c", {mode: "live", codec: "vp8"});
		c.startProxyServer(5);
		const r = await how(() => c.join(` + jsString(srv.TestAppID) + `, "noturn", null, 5));
		return r + " " + c.connectionState;`)
	if got != "reject CAN_NOT_GET_PROXY_SERVER DISCONNECTED" {
		t.Fatalf("join with a proxy and no TURN: %s", got)
	}
}
