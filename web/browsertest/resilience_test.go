package browsertest

import (
	"testing"

	"github.com/cohost-rtc/cohost/internal/servertest"
)

// TestRelayMirrorsMuteAndRepublish: what a relayed host does reaches the
// destination channel as from a local host: mute and unmute, unpublish
// and republish, and a member joining there while the host is muted.
func TestRelayMirrorsMuteAndRepublish(t *testing.T) {
	srv := servertest.Start(t)
	app := jsString(srv.TestAppID)
	hostA := newPage(t, srv, "hostA")
	viewerB := newPage(t, srv, "viewerB")
	hostA.run(`const c = T.newClient("hostA", {mode: "live", codec: "vp8", role: "host"}, true);
		await c.join(` + app + `, "m-a", null, 100);
		await c.publish([await T.camera("cam"), await T.mic("mic")]);
		const cfg = AgoraRTC.createChannelMediaRelayConfiguration();
		cfg.setSrcChannelInfo({channelName: "m-a", uid: 0});
		cfg.addDestChannelInfo({channelName: "m-b", uid: 100});
		await c.startChannelMediaRelay(cfg);`)
	viewerB.run(`await T.newClient("viewerB", {mode: "live", codec: "vp8"}, true).join(` + app + `, "m-b", null, 201)`)
	viewerB.waitDecoding("viewerB", 100)
	hostA.run(`await T.tracks.cam.setMuted(true)`)
	viewerB.waitEvent("viewerB user-info-updated 100 mute-video")
	hostA.run(`await T.tracks.cam.setMuted(false)`)
	viewerB.waitEvent("viewerB user-info-updated 100 unmute-video")
	viewerB.waitDecoding("viewerB", 100)
	hostA.run(`await T.clients.hostA.unpublish(T.tracks.cam)`)
	viewerB.waitEvent("viewerB user-unpublished 100 video")
	hostA.run(`await T.clients.hostA.publish(T.tracks.cam)`)
	viewerB.waitFor("resubscribed", `T.count("viewerB subscribed 100 video") === 3`)
	viewerB.waitDecoding("viewerB", 100)
	// A member joining channel B while host A is muted learns of the mute.
	hostA.run(`await T.tracks.cam.setMuted(true)`)
	late := newPage(t, srv, "late")
	late.run(`await T.newClient("late", {mode: "live", codec: "vp8"}, true).join(` + app + `, "m-b", null, 202)`)
	late.waitEvent("late user-info-updated 100 mute-video")
	hostA.run(`await T.tracks.cam.setMuted(false)`)
	late.waitDecoding("late", 100)
}

// TestResumeKeepsRelayAndSubscriptions: a viewer's and a relaying host's
// signalling connections break and resume; the viewer keeps decoding the
// host, the destination channel keeps the relayed host, and the relay
// keeps running.
func TestResumeKeepsRelayAndSubscriptions(t *testing.T) {
	srv := servertest.Start(t)
	app := jsString(srv.TestAppID)
	host := newPage(t, srv, "host")
	viewer := newPage(t, srv, "viewer")
	host.run(`const c = T.newClient("host", {mode: "live", codec: "vp8", role: "host"});
		await c.join(` + app + `, "r", null, 11);
		await c.publish([await T.camera("cam")]);
		const cfg = AgoraRTC.createChannelMediaRelayConfiguration();
		cfg.setSrcChannelInfo({channelName: "r", uid: 0});
		cfg.addDestChannelInfo({channelName: "r2", uid: 11});
		await c.startChannelMediaRelay(cfg);`)
	viewer.run(`await T.newClient("viewer", {mode: "live", codec: "vp8"}, true).join(` + app + `, "r", null, 22)`)
	viewer.waitDecoding("viewer", 11)
	viewer.run(`T.clients.viewer._signal.ws.close()`)
	viewer.waitEvent("viewer connection-state-change CONNECTED RECONNECTING")
	viewer.waitDecoding("viewer", 11)
	// A viewer in the destination channel; then the host's connection breaks.
	other := newPage(t, srv, "other")
	other.run(`await T.newClient("other", {mode: "live", codec: "vp8"}, true).join(` + app + `, "r2", null, 33)`)
	other.waitDecoding("other", 11)
	host.run(`T.clients.host._signal.ws.close()`)
	host.waitEvent("host connection-state-change CONNECTED RECONNECTING")
	other.waitDecoding("other", 11)
	viewer.waitDecoding("viewer", 11)
	if host.hasEvent("host channel-media-relay-state RELAY_STATE_IDLE RELAY_OK") {
		t.Errorf("relay stopped by a resume")
	}
}

// TestSameUIDKicksTheEarlierSession: the same uid joining elsewhere ends
// the earlier session (DISCONNECTED UID_BANNED), which may join again; a
// communication-mode join into a live channel is refused.
func TestSameUIDKicksTheEarlierSession(t *testing.T) {
	srv := servertest.Start(t)
	app := jsString(srv.TestAppID)
	a := newPage(t, srv, "a")
	b := newPage(t, srv, "b")
	a.run(`await T.newClient("a", {mode: "live", codec: "vp8", role: "host"}).join(` + app + `, "s", null, 5)`)
	b.run(`await T.newClient("b", {mode: "live", codec: "vp8", role: "host"}).join(` + app + `, "s", null, 5)`)
	a.waitEvent("a connection-state-change DISCONNECTED CONNECTED UID_BANNED")
	if got := a.str(`return T.err(() => T.clients.a.join(` + app + `, "s", null, 5))`); got != "ok" {
		t.Errorf("rejoin: %s", got)
	}
	b.waitEvent("b connection-state-change DISCONNECTED CONNECTED UID_BANNED")
	if got := b.str(`return T.err(() => T.newClient("c", {mode: "rtc", codec: "vp8"}).join(` + app + `, "s", null, 6))`); got != "INVALID_PARAMS" {
		t.Errorf("rtc join into a live channel: %s", got)
	}
}

// TestResumeReplaysLostEvents: events that reached a connection the client
// no longer reads are lost with it; the resume names the last event the SDK
// handled and the server sends the rest again, once.
func TestResumeReplaysLostEvents(t *testing.T) {
	srv := servertest.Start(t)
	app := jsString(srv.TestAppID)
	host := newPage(t, srv, "host")
	viewer := newPage(t, srv, "viewer")
	host.run(`const c = T.newClient("host", {mode: "live", codec: "vp8", role: "host"});
		await c.join(` + app + `, "lost", null, 11);
		await c.publish([await T.camera("cam")]);`)
	viewer.run(`await T.newClient("viewer", {mode: "live", codec: "vp8"}, true).join(` + app + `, "lost", null, 22)`)
	viewer.waitDecoding("viewer", 11)

	// The viewer stops reading its connection; the host mutes meanwhile.
	viewer.run(`T.deaf = T.clients.viewer._signal.ws; T.deaf.onmessage = () => {};`)
	host.run(`await T.tracks.cam.setMuted(true)`)
	if viewer.hasEvent("viewer user-info-updated 11 mute-video") {
		t.Fatal("the viewer saw the mute on a connection it does not read")
	}
	viewer.run(`T.deaf.close()`)
	viewer.waitEvent("viewer connection-state-change CONNECTED RECONNECTING")
	viewer.waitEvent("viewer user-info-updated 11 mute-video")
	host.run(`await T.tracks.cam.setMuted(false)`)
	viewer.waitEvent("viewer user-info-updated 11 unmute-video")
	viewer.waitDecoding("viewer", 11)
	if n := viewer.num(`return T.count("viewer user-info-updated 11 mute-video")`); n != 1 {
		t.Errorf("the viewer got the mute %v times, want once", n)
	}
}
