package browsertest

import (
	"testing"

	"github.com/cohost-rtc/cohost/internal/servertest"
	"github.com/cohost-rtc/cohost/token"
)

// TestSubscriptionChurnKeepsTheSDPBounded: a browser viewer that
// subscribes to a host's video and unsubscribes fifty times is offered
// the same media section again and again instead of one more each time,
// and still decodes the video afterwards.
func TestSubscriptionChurnKeepsTheSDPBounded(t *testing.T) {
	srv := servertest.Start(t)
	const channel = "churn"
	app := jsString(srv.AppID)
	host := newPage(t, srv, "host")
	viewer := newPage(t, srv, "viewer")
	host.run(`const c = T.newClient("host", {mode: "live", codec: "vp8", role: "host"});
		await c.join(` + app + `, "churn", ` + jsString(srv.Token(t, channel, 2, token.RolePublisher, 3600)) + `, 2);
		await c.publish([await T.camera("cam")]);`)
	viewer.run(`await T.newClient("viewer", {mode: "live", codec: "vp8"}).join(` + app + `, "churn", ` +
		jsString(srv.Token(t, channel, 3, token.RoleSubscriber, 3600)) + `, 3);`)
	viewer.waitEvent("viewer user-published 2 video")
	sections := viewer.num(`const c = T.clients.viewer;
		const u = c.remoteUsers.find((u) => u.uid === 2);
		let most = 0;
		for (let i = 0; i < 50; i++) {
			// Four requests a cycle (two with answers): paced under the
			// server's 50 requests per second.
			await new Promise((r) => setTimeout(r, 120));
			await c.subscribe(u, "video");
			await c.unsubscribe(u, "video");
			const sdp = c._down.remoteDescription.sdp;
			most = Math.max(most, sdp.split("\r\nm=").length - 1);
		}
		const track = await c.subscribe(u, "video");
		track.play(T.box("viewer-2"));
		return most;`)
	// An unsubscription's offer may still be unanswered when the next
	// subscription arrives, which then takes a second section.
	if sections > 2 {
		t.Fatalf("after 50 subscriptions the offer had up to %v media sections, want at most 2", sections)
	}
	t.Logf("media sections at most: %v", sections)
	viewer.waitDecoding("viewer", 2)
}
