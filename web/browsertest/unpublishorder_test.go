package browsertest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cohost-rtc/cohost/internal/servertest"
	"github.com/cohost-rtc/cohost/protocol"
	"github.com/cohost-rtc/cohost/token"
)

// seenOrder returns the lines of a page's event log about uid's tracks
// going and uid leaving, in order.
func seenOrder(p *page, client string, uid int) []string {
	p.t.Helper()
	prefix := []string{fmt.Sprintf("%s user-unpublished %d ", client, uid), fmt.Sprintf("%s user-left %d ", client, uid)}
	return evalJS[[]string](p, fmt.Sprintf(`return T.log.filter((l) => l.startsWith(%s) || l.startsWith(%s))`,
		jsString(prefix[0]), jsString(prefix[1])))
}

// When a publisher leaves, is made audience, or a relay into the channel
// stops, viewers get user-unpublished for each track first, then
// user-left, as with Agora's SDK: apps remove a user's players on
// user-unpublished. The Go SDK gets OnUserUnpublished before
// OnUserOffline.
func TestUnpublishedBeforeUserLeft(t *testing.T) {
	srv := servertest.Start(t)
	const channel = "order"
	adminTok, err := token.BuildRTCAdmin(srv.AppID, srv.Certificate, channel, "1", token.RolePublisher, 3600, 3600)
	if err != nil {
		t.Fatal(err)
	}
	app := jsString(srv.AppID)
	admin := newPage(t, srv, "admin")
	pub := newPage(t, srv, "pub")
	viewer := newPage(t, srv, "viewer")
	goViewer := newGoClient(t, srv, "goViewer", srv.AppID, protocol.RoleAudience)
	if _, err := goViewer.JoinChannel(t.Context(), srv.Token(t, channel, 4, token.RoleSubscriber, 3600), channel, 4); err != nil {
		t.Fatalf("Go viewer join: %v", err)
	}
	admin.run(`await T.newClient("admin", {mode: "live", codec: "vp8", role: "host"}).join(` + app + `, "order", ` + jsString(adminTok) + `, 1);`)
	viewer.run(`await T.newClient("viewer", {mode: "live", codec: "vp8"}, true).join(` + app + `, "order", ` +
		jsString(srv.Token(t, channel, 3, token.RoleSubscriber, 3600)) + `, 3);`)
	pubTok := jsString(srv.Token(t, channel, 2, token.RolePublisher, 3600))
	publish := func() {
		pub.run(`const c = T.clients.pub || T.newClient("pub", {mode: "live", codec: "vp8", role: "host"});
			if (c.connectionState === "DISCONNECTED") await c.join(` + app + `, "order", ` + pubTok + `, 2);
			await c.setClientRole("host");
			await c.publish([T.tracks.cam || await T.camera("cam"), T.tracks.mic || await T.mic("mic")]);`)
	}
	// What the viewers saw so far, in order.
	var wantWeb, wantGo []string
	check := func(n int, webReason, goReason string) {
		t.Helper()
		wantWeb = append(wantWeb, "viewer user-unpublished 2 audio", "viewer user-unpublished 2 video", "viewer user-left 2 "+webReason)
		wantGo = append(wantGo, "user-unpublished 2 audio", "user-unpublished 2 video", "user-offline 2 "+goReason)
		viewer.waitFor("the viewer to see the publisher go", fmt.Sprintf(`T.log.filter((l) => l.startsWith("viewer user-left 2 ")).length === %d`, n))
		if got := seenOrder(viewer, "viewer", 2); !slices.Equal(got, wantWeb) {
			t.Errorf("the viewer saw:\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(wantWeb, "\n\t"))
		}
		goViewer.waitFor(t, fmt.Sprintf("%d user-offline 2", n), func(events []string) bool {
			k := 0
			for _, e := range events {
				if strings.HasPrefix(e, "user-offline 2 ") {
					k++
				}
			}
			return k == n
		})
		var got []string
		for _, e := range goViewer.all() {
			if strings.HasPrefix(e, "user-unpublished 2 ") || strings.HasPrefix(e, "user-offline 2 ") {
				got = append(got, e)
			}
		}
		if !slices.Equal(got, wantGo) {
			t.Errorf("the Go viewer saw:\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(wantGo, "\n\t"))
		}
	}

	// The publisher leaves.
	publish()
	viewer.waitEvent("viewer subscribed 2 video")
	pub.run(`await T.clients.pub.leave()`)
	check(1, "Quit", "QUIT")

	// The publisher is made audience while publishing.
	publish()
	viewer.waitFor("a second subscription", `T.count("viewer subscribed 2 video") === 2`)
	admin.run(`await T.clients.admin.setRemoteClientRole(2, "audience")`)
	check(2, "BecomeAudience", "BECOME_AUDIENCE")

	// A host of another channel relays into this one (with uid 2, which
	// the demoted publisher frees), then stops.
	pub.run(`await T.clients.pub.leave()`)
	relay := newPage(t, srv, "relay")
	relay.run(`const c = T.newClient("relay", {mode: "live", codec: "vp8", role: "host"});
		await c.join(` + app + `, "elsewhere", ` + jsString(srv.Token(t, "elsewhere", 2, token.RolePublisher, 3600)) + `, 2);
		await c.publish([await T.camera("rcam"), await T.mic("rmic")]);
		const cfg = AgoraRTC.createChannelMediaRelayConfiguration();
		cfg.setSrcChannelInfo({channelName: "elsewhere", uid: 0, token: ` + jsString(srv.Token(t, "elsewhere", 0, token.RolePublisher, 3600)) + `});
		cfg.addDestChannelInfo({channelName: "order", uid: 2, token: ` + pubTok + `});
		await c.startChannelMediaRelay(cfg);`)
	viewer.waitFor("a third subscription", `T.count("viewer subscribed 2 video") === 3`)
	relay.run(`await T.clients.relay.stopChannelMediaRelay()`)
	check(3, "Quit", "QUIT")
}
