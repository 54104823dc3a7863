package browsertest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cohost-rtc/cohost/internal/servertest"
	"github.com/cohost-rtc/cohost/protocol"
)

// relayLog returns the relay states and events a page's client got, in order.
func relayLog(p *page, client string) []string {
	p.t.Helper()
	return evalJS[[]string](p, fmt.Sprintf(`return T.log.filter((l) => l.startsWith(%s))`, jsString(client+" channel-media-relay-")))
}

// TestSeed001And002MutualRelay plays seeds 001/002 (co-hosting across
// channels, the Web 4.x form): two live channels with a host and a viewer
// each. Each host relays itself into the other channel, so each viewer
// decodes both hosts' video. Host A also relays into a third channel, whose
// (Go SDK) audience sees it arrive; an update removes that destination, and
// a stop reports RELAY_STATE_IDLE and takes host A out of channel B.
func TestSeed001And002MutualRelay(t *testing.T) {
	srv := servertest.Start(t)
	app := jsString(srv.TestAppID)
	hostA := newPage(t, srv, "hostA")
	viewerA := newPage(t, srv, "viewerA")
	hostB := newPage(t, srv, "hostB")
	viewerB := newPage(t, srv, "viewerB")
	observerC := newGoClient(t, srv, "observerC", srv.TestAppID, protocol.RoleAudience)
	if _, err := observerC.JoinChannel(t.Context(), "", "pk-c", 301); err != nil {
		t.Fatalf("observerC join: %v", err)
	}

	for _, h := range []struct {
		p       *page
		channel string
		uid     int
	}{{hostA, "pk-a", 100}, {hostB, "pk-b", 200}} {
		h.p.run(fmt.Sprintf(`const c = T.newClient(%q, {mode: "live", codec: "vp8", role: "host"}, true);
			await c.join(%s, %q, null, %d);
			await c.publish([await T.camera("cam"), await T.mic("mic")]);`, h.p.name, app, h.channel, h.uid))
	}
	viewerA.run(`await T.newClient("viewerA", {mode: "live", codec: "vp8"}, true).join(` + app + `, "pk-a", null, 101)`)
	viewerB.run(`await T.newClient("viewerB", {mode: "live", codec: "vp8"}, true).join(` + app + `, "pk-b", null, 201)`)

	// Seed 002's form: new AgoraRTC.ChannelMediaRelayConfiguration().
	hostA.run(`const cfg = new AgoraRTC.ChannelMediaRelayConfiguration();
		cfg.setSrcChannelInfo({channelName: "pk-a", uid: 0, token: null});
		cfg.addDestChannelInfo({channelName: "pk-b", uid: 100, token: null});
		cfg.addDestChannelInfo({channelName: "pk-c", uid: 100, token: null});
		T.relayConfig = cfg;
		await T.clients.hostA.startChannelMediaRelay(cfg);`)
	// The factory form.
	hostB.run(`const cfg = AgoraRTC.createChannelMediaRelayConfiguration();
		cfg.setSrcChannelInfo({channelName: "pk-b", uid: 0});
		cfg.addDestChannelInfo({channelName: "pk-a", uid: 200});
		await T.clients.hostB.startChannelMediaRelay(cfg);`)

	want := []string{
		"hostA channel-media-relay-state RELAY_STATE_CONNECTING RELAY_OK",
		"hostA channel-media-relay-event PACKET_JOINED_SRC_CHANNEL pk-a",
		"hostA channel-media-relay-event PACKET_JOINED_DEST_CHANNEL pk-b",
		"hostA channel-media-relay-event PACKET_SENT_TO_DEST_CHANNEL pk-b",
		"hostA channel-media-relay-event PACKET_JOINED_DEST_CHANNEL pk-c",
		"hostA channel-media-relay-event PACKET_SENT_TO_DEST_CHANNEL pk-c",
		"hostA channel-media-relay-event PACKET_RECEIVED_VIDEO_FROM_SRC",
		"hostA channel-media-relay-event PACKET_RECEIVED_AUDIO_FROM_SRC",
		"hostA channel-media-relay-state RELAY_STATE_RUNNING RELAY_OK",
	}
	if got := relayLog(hostA, "hostA"); !slices.Equal(got, want) {
		t.Errorf("host A's relay start:\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}

	// Each viewer decodes both hosts; each host sees the other.
	viewerA.waitDecoding("viewerA", 100)
	viewerA.waitDecoding("viewerA", 200)
	viewerB.waitDecoding("viewerB", 200)
	viewerB.waitDecoding("viewerB", 100)
	hostA.waitDecoding("hostA", 200)
	hostB.waitDecoding("hostB", 100)
	observerC.waitEvent(t, "user-joined 100")
	observerC.waitEvent(t, "user-published 100 video")

	// Update: remove pk-c.
	hostA.run(`T.relayConfig.removeDestChannelInfo("pk-c");
		await T.clients.hostA.updateChannelMediaRelay(T.relayConfig);`)
	hostA.waitEvent("hostA channel-media-relay-event PACKET_UPDATE_DEST_CHANNEL")
	observerC.waitEvent(t, "user-offline 100 QUIT")
	viewerB.waitDecoding("viewerB", 100)

	// Stop.
	hostA.run(`await T.clients.hostA.stopChannelMediaRelay()`)
	hostA.waitEvent("hostA channel-media-relay-state RELAY_STATE_IDLE RELAY_OK")
	viewerB.waitEvent("viewerB user-left 100 Quit")
	hostB.waitEvent("hostB user-left 100 Quit")
	hostB.run(`await T.clients.hostB.stopChannelMediaRelay()`)
	hostB.waitEvent("hostB channel-media-relay-state RELAY_STATE_IDLE RELAY_OK")
	viewerA.waitEvent("viewerA user-left 200 Quit")
	viewerA.waitDecoding("viewerA", 100)
}
