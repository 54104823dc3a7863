package browsertest

import (
	"fmt"
	"testing"

	"github.com/cohost-rtc/cohost/internal/servertest"
	"github.com/cohost-rtc/cohost/token"
)

// TestSeed000RemoteRoleChange plays seed 000 ("How can a host change the
// role of a remote user?") in three pages: a host and two viewers of a
// certificate app (co-host authentication on). The host promotes viewer 1
// with setRemoteClientRole; viewer 1 gets client-role-changed, publishes,
// and its video is decoded on the host's page and on viewer 2's. Viewer 1
// may not go back to audience while publishing (Agora Web's rule); the
// host demotes it, and everyone sees it leave as BecomeAudience.
func TestSeed000RemoteRoleChange(t *testing.T) {
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
