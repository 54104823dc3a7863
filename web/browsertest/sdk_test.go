package browsertest

import (
	"fmt"
	"testing"

	"github.com/cohost-rtc/cohost/internal/servertest"
	"github.com/cohost-rtc/cohost/token"
)

// TestHostToViewer: a host publishes camera and microphone, a viewer in the
// same live channel decodes the video; mute, unpublish and republish reach
// the viewer as Agora Web reports them; a dropped signalling connection is
// resumed unseen; leave is seen as Quit.
func TestHostToViewer(t *testing.T) {
	srv := servertest.Start(t)
	host := newPage(t, srv, "host")
	viewer := newPage(t, srv, "viewer")
	app := jsString(srv.TestAppID)

	host.run(`const c = T.newClient("host", {mode: "live", codec: "vp8", role: "host"});
		await c.join(` + app + `, "smoke", null, 11);
		await c.publish([await T.camera("cam"), await T.mic("mic")]);`)
	viewer.run(`const c = T.newClient("viewer", {mode: "live", codec: "vp8"}, true);
		await c.join(` + app + `, "smoke", null, 22);`)
	viewer.waitEvent("viewer user-joined 11")
	viewer.waitEvent("viewer subscribed 11 video")
	viewer.waitEvent("viewer subscribed 11 audio")
	viewer.waitDecoding("viewer", 11)

	// The server picks what the viewer can see: audience members are not
	// remote users of anyone.
	if n := host.num(`return T.clients.host.remoteUsers.length`); n != 0 {
		t.Errorf("the host sees %v remote users, want 0 (the viewer is audience)", n)
	}
	if got := viewer.str(`return T.err(async () => T.clients.viewer.publish(await T.camera("vcam")))`); got != "INVALID_OPERATION" {
		t.Errorf("audience publish: %s, want INVALID_OPERATION", got)
	}

	// setMuted: user-info-updated and user-unpublished, then back.
	host.run(`await T.tracks.cam.setMuted(true)`)
	viewer.waitEvent("viewer user-info-updated 11 mute-video")
	viewer.waitEvent("viewer user-unpublished 11 video")
	host.run(`await T.tracks.cam.setMuted(false)`)
	viewer.waitEvent("viewer user-info-updated 11 unmute-video")
	viewer.waitFor("a second subscription to 11's video", `T.count("viewer subscribed 11 video") === 2`)
	viewer.waitDecoding("viewer", 11)

	// unpublish and publish again.
	host.run(`await T.clients.host.unpublish(T.tracks.cam)`)
	viewer.waitFor("a second user-unpublished", `T.count("viewer user-unpublished 11 video") === 2`)
	host.run(`await T.clients.host.publish(T.tracks.cam)`)
	viewer.waitFor("a third subscription", `T.count("viewer subscribed 11 video") === 3`)
	viewer.waitDecoding("viewer", 11)

	// The host's signalling connection breaks: the SDK resumes the session,
	// and the viewer sees nothing of it.
	host.run(`T.clients.host._signal.ws.close()`)
	host.waitEvent("host connection-state-change RECONNECTING CONNECTED")
	host.waitEvent("host connection-state-change CONNECTED RECONNECTING")
	viewer.waitDecoding("viewer", 11)
	if viewer.hasEvent("viewer user-left 11 ServerTimeOut") || viewer.hasEvent("viewer user-left 11 Quit") {
		t.Errorf("the viewer saw the host leave during a resume")
	}

	host.run(`await T.clients.host.leave()`)
	host.waitEvent("host connection-state-change DISCONNECTED DISCONNECTING LEAVE")
	viewer.waitEvent("viewer user-left 11 Quit")
}

// TestESModule: the ES module form loads from the server and talks to it.
func TestESModule(t *testing.T) {
	srv := servertest.Start(t)
	p := newPage(t, srv, "esm")
	got := p.str(`const m = await import("/sdk/cohost-rtc.mjs");
		if (m.default !== window.AgoraRTC) return "the module and the global differ";
		const c = m.default.createClient({mode: "rtc", codec: "vp8"});
		const uid = await c.join(` + jsString(srv.TestAppID) + `, "esm", null, null);
		await c.leave();
		return typeof uid + " " + m.default.getServerURL() + " " + m.ChannelMediaRelayState.RELAY_STATE_IDLE;`)
	if want := "number " + srv.URL + " RELAY_STATE_IDLE"; got != want {
		t.Errorf("ES module: %q, want %q", got, want)
	}
}

// TestTokenExpiry: a token about to expire gives token-privilege-will-expire
// and renewToken keeps the session; an expired one gives
// token-privilege-did-expire and a DISCONNECTED TOKEN_EXPIRE.
func TestTokenExpiry(t *testing.T) {
	srv := servertest.Start(t)
	p := newPage(t, srv, "tok")
	app := jsString(srv.AppID)
	// The server warns 30 s before expiry: a 32 s token is warned at once.
	p.run(fmt.Sprintf(`await T.newClient("renew", {mode: "live", codec: "vp8"}).join(%s, "tokens", %s, 61)`,
		app, jsString(srv.Token(t, "tokens", 61, token.RoleSubscriber, 32))))
	p.waitEvent("renew token-privilege-will-expire")
	if got := p.str(fmt.Sprintf(`return T.err(() => T.clients.renew.renewToken(%s))`, jsString(srv.Token(t, "tokens", 61, token.RoleSubscriber, 3600)))); got != "ok" {
		t.Errorf("renewToken: %s", got)
	}
	if got := p.str(`return T.err(() => T.clients.renew.renewToken("007bogus"))`); got != "INVALID_PARAMS" {
		t.Errorf("renewToken with a bad token: %s, want INVALID_PARAMS", got)
	}

	p.run(fmt.Sprintf(`await T.newClient("expire", {mode: "live", codec: "vp8"}).join(%s, "tokens", %s, 62)`,
		app, jsString(srv.Token(t, "tokens", 62, token.RoleSubscriber, 2))))
	p.waitEvent("expire token-privilege-did-expire")
	p.waitEvent("expire connection-state-change DISCONNECTED CONNECTED TOKEN_EXPIRE")
	if p.hasEvent("renew token-privilege-did-expire") || p.hasEvent("renew connection-state-change DISCONNECTED CONNECTED TOKEN_EXPIRE") {
		t.Errorf("the renewed session expired")
	}
}
