package browsertest

import (
	"fmt"
	"testing"

	"github.com/cohost-rtc/cohost/internal/servertest"
	"github.com/cohost-rtc/cohost/token"
)

// TestSeed000InviteToCoHost plays seed 000 ("How can a host change the
// role of a remote user?") as written, in three pages (a host and two
// viewers of a certificate app): the host invites viewer 1 with an RTM peer
// message; viewer 1 calls setClientRole("host"), gets client-role-changed,
// publishes and announces itself with addOrUpdateChannelAttributes; the host
// and viewer 2 get AttributesUpdated and decode viewer 1's video. Viewer 2
// declines an invitation. Going back follows the same steps: the host asks,
// viewer 1 must unpublish before it may become audience (Agora Web's rule),
// clears the attribute, and everyone sees it leave as BecomeAudience.
func TestSeed000InviteToCoHost(t *testing.T) {
	srv := servertest.Start(t)
	const channel = "seed000"
	host := newPage(t, srv, "host")
	v1 := newPage(t, srv, "v1")
	v2 := newPage(t, srv, "v2")
	app := jsString(srv.AppID)
	for _, u := range []struct {
		p    *page
		uid  uint32
		role string
	}{{host, 1001, "host"}, {v1, 2001, "audience"}, {v2, 2002, "audience"}} {
		rtmTok, err := token.BuildRTM(srv.AppID, srv.Certificate, fmt.Sprint(u.uid), 3600)
		if err != nil {
			t.Fatal(err)
		}
		u.p.run(fmt.Sprintf(`const c = T.newClient(%[1]q, {mode: "live", codec: "vp8", role: %[2]q}, true);
			await c.join(%[3]s, %[4]q, %[5]s, %[6]d);
			await T.newRTM(%[1]q, %[3]s, "%[6]d", %[7]s);
			await T.joinRTMChannel(%[1]q, %[4]q);`,
			u.p.name, u.role, app, channel, jsString(srv.Token(t, channel, u.uid, token.RolePublisher, 3600)), u.uid, jsString(rtmTok)))
	}
	host.run(`await T.clients.host.publish([await T.camera("cam"), await T.mic("mic")])`)
	v1.waitDecoding("v1", 1001)
	v2.waitDecoding("v2", 1001)

	// 1–2. The host invites viewer 1 with a peer message.
	if got := host.str(`return JSON.stringify(await T.rtm.host.sendMessageToPeer({text: "invite"}, "2001"))`); got != `{"hasPeerReceived":true}` {
		t.Fatalf("invitation message: %s", got)
	}
	v1.waitEvent("v1 MessageFromPeer 1001 invite")
	// 3–4. Viewer 1 accepts: it becomes host.
	v1.run(`await T.clients.v1.setClientRole("host")`)
	v1.waitEvent("v1 client-role-changed host audience local")
	v1.run(`await T.clients.v1.publish([await T.camera("cam")])`)
	// 5–6. It tells the channel; the host starts co-hosting.
	v1.run(`await T.rtm.v1.addOrUpdateChannelAttributes("seed000", {cohost: "2001"}, {enableNotificationToChannelMembers: true})`)
	host.waitEvent("host AttributesUpdated seed000 cohost=2001")
	v2.waitEvent("v2 AttributesUpdated seed000 cohost=2001")
	host.waitEvent("host user-joined 2001")
	v2.waitEvent("v2 user-joined 2001")
	host.waitDecoding("host", 2001)
	v2.waitDecoding("v2", 2001)

	// Viewer 2 declines.
	host.run(`await T.rtm.host.sendMessageToPeer({text: "invite"}, "2002")`)
	v2.waitEvent("v2 MessageFromPeer 1001 invite")
	v2.run(`await T.rtm.v2.sendMessageToPeer({text: "decline"}, "1001")`)
	host.waitEvent("host MessageFromPeer 2002 decline")

	// Back to the audience, by the same steps.
	host.run(`await T.rtm.host.sendMessageToPeer({text: "end-cohost"}, "2001")`)
	v1.waitEvent("v1 MessageFromPeer 1001 end-cohost")
	if got := v1.str(`return T.err(() => T.clients.v1.setClientRole("audience"))`); got != "INVALID_OPERATION" {
		t.Errorf("v1 setClientRole(audience) while publishing: %s, want INVALID_OPERATION", got)
	}
	v1.run(`await T.clients.v1.unpublish();
		await T.clients.v1.setClientRole("audience");
		await T.rtm.v1.deleteChannelAttributesByKeys("seed000", ["cohost"], {enableNotificationToChannelMembers: true});`)
	v1.waitEvent("v1 client-role-changed audience host local")
	host.waitEvent("host AttributesUpdated seed000")
	host.waitEvent("host user-left 2001 BecomeAudience")
	v2.waitEvent("v2 user-left 2001 BecomeAudience")
	v1.waitDecoding("v1", 1001)
}

// TestSeed000ServerEnforcedRoleChange plays seed 000's promotion and
// demotion with cohost's server-enforced remote role change, in three
// pages: a host and two viewers of a certificate app (co-host
// authentication on), the viewers with subscriber tokens. The host promotes viewer 1
// with setRemoteClientRole; viewer 1 gets client-role-changed, publishes,
// and its video is decoded on the host's page and on viewer 2's. Viewer 1
// may not go back to audience while publishing (Agora Web's rule); the
// host demotes it, and everyone sees it leave as BecomeAudience.
func TestSeed000ServerEnforcedRoleChange(t *testing.T) {
	srv := servertest.Start(t)
	const channel = "seed000"
	hostTok, err := token.BuildRTCAdmin(srv.AppID, srv.Certificate, channel, "1001", token.RolePublisher, 3600, 3600)
	if err != nil {
		t.Fatal(err)
	}
	host := newPage(t, srv, "host")
	v1 := newPage(t, srv, "v1")
	v2 := newPage(t, srv, "v2")
	app := jsString(srv.AppID)

	host.run(fmt.Sprintf(`const c = T.newClient("host", {mode: "live", codec: "vp8", role: "host"}, true);
		await c.join(%s, %q, %s, 1001);
		await c.publish([await T.camera("cam"), await T.mic("mic")]);`, app, channel, jsString(hostTok)))
	for i, v := range []*page{v1, v2} {
		uid := 2001 + i
		tok := srv.Token(t, channel, uint32(uid), token.RoleSubscriber, 3600)
		v.run(fmt.Sprintf(`const c = T.newClient(%q, {mode: "live", codec: "vp8"}, true);
			await c.join(%s, %q, %s, %d);`, v.name, app, channel, jsString(tok), uid))
	}
	v1.waitDecoding("v1", 1001)
	v2.waitDecoding("v2", 1001)

	// A viewer with a subscriber token may not make itself host (co-host
	// authentication): the server refuses, Agora Web's code.
	if got := v1.str(`return T.err(() => T.clients.v1.setClientRole("host"))`); got != "INVALID_OPERATION" {
		t.Errorf("v1 setClientRole(host) with a subscriber token: %s, want INVALID_OPERATION", got)
	}

	// Invite: the host promotes viewer 1.
	host.run(`await T.clients.host.setRemoteClientRole(2001, "host")`)
	v1.waitEvent("v1 client-role-changed host audience remote")
	v1.run(`await T.clients.v1.publish([await T.camera("cam")])`)
	host.waitEvent("host user-joined 2001")
	v2.waitEvent("v2 user-joined 2001")
	host.waitDecoding("host", 2001)
	v2.waitDecoding("v2", 2001)

	// Agora Web refuses to become audience while publishing.
	if got := v1.str(`return T.err(() => T.clients.v1.setClientRole("audience"))`); got != "INVALID_OPERATION" {
		t.Errorf("v1 setClientRole(audience) while publishing: %s, want INVALID_OPERATION", got)
	}

	// Demotion: the host sends viewer 1 back to the audience.
	host.run(`await T.clients.host.setRemoteClientRole(2001, "audience")`)
	v1.waitEvent("v1 client-role-changed audience host remote")
	v1.waitFor("v1's local tracks to be unpublished", `T.clients.v1.localTracks.length === 0`)
	host.waitEvent("host user-left 2001 BecomeAudience")
	v2.waitEvent("v2 user-left 2001 BecomeAudience")
	if got := v1.str(`return T.err(() => T.clients.v1.publish(T.tracks.cam))`); got != "INVALID_OPERATION" {
		t.Errorf("v1 publish as audience: %s, want INVALID_OPERATION", got)
	}
	v1.waitDecoding("v1", 1001)
}
