package browsertest

import (
	"net"
	"testing"

	"github.com/cohost-rtc/cohost/internal/servertest"
)

// deadURL is the URL of a server that does not answer: a port that was
// free a moment ago.
func deadURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// setServerURL with a list: a join goes to the first server that answers,
// the app seeing CONNECTING → CONNECTED as with one server.
func TestServerListJoinFailover(t *testing.T) {
	stopped := servertest.Start(t)
	live := servertest.Start(t)
	stopped.Close()
	app := jsString(live.TestAppID)
	host := newPage(t, live, "host")
	host.run(`const c = T.newClient("host", {mode: "rtc", codec: "vp8"});
		await c.join(` + app + `, "failover", null, 1);
		await c.publish([await T.camera("cam")]);`)

	viewer := newPage(t, live, "viewer")
	list := `[` + jsString(stopped.URL) + `, ` + jsString(deadURL(t)) + `, ` + jsString(live.URL) + `]`
	if got := viewer.str(`AgoraRTC.setServerURL(` + list + `);
		const c = T.newClient("viewer", {mode: "rtc", codec: "vp8"}, true);
		return String(await c.join(` + app + `, "failover", null, 2)) + " " + AgoraRTC.getServerURL();`); got != "2 "+stopped.URL {
		t.Errorf("join with the first two servers down: %s, want uid 2 (getServerURL the first of the list, %s)", got, stopped.URL)
	}
	viewer.waitEvent("viewer user-joined 1")
	viewer.waitDecoding("viewer", 1)
	if got := viewer.str(`return T.log.filter((l) => l.startsWith("viewer connection-state-change")).join("|")`); got != "viewer connection-state-change CONNECTING DISCONNECTED|viewer connection-state-change CONNECTED CONNECTING" {
		t.Errorf("connection states: %s, want CONNECTING then CONNECTED", got)
	}

	// No server answers: the join fails as with one unreachable server.
	if got := viewer.str(`AgoraRTC.setServerURL([` + jsString(stopped.URL) + `, ` + jsString(deadURL(t)) + `]);
		return T.err(() => AgoraRTC.createClient({mode: "rtc", codec: "vp8"}).join(` + app + `, "failover", null, 3));`); got != "CAN_NOT_GET_GATEWAY_SERVER" {
		t.Errorf("join with every server down: %s, want CAN_NOT_GET_GATEWAY_SERVER", got)
	}
}

// RTM with a list of servers: the login goes to the first that answers,
// and when that server stops the client logs in on the next one
// (RECONNECTING → CONNECTED), its channel rejoined.
func TestServerListRTMFailover(t *testing.T) {
	first := servertest.Start(t)
	second := servertest.Start(t)
	app := jsString(second.TestAppID)
	bob := newPage(t, second, "bob")
	bob.run(`await T.newRTM("bob", ` + app + `, "2002"); await T.joinRTMChannel("bob", "lobby");`)

	alice := newPage(t, second, "alice")
	alice.run(`AgoraRTM.setServerURL([` + jsString(deadURL(t)) + `, ` + jsString(first.URL) + `, ` + jsString(second.URL) + `]);
		await T.newRTM("alice", ` + app + `, "1001"); await T.joinRTMChannel("alice", "lobby");`)
	// alice is on the first server that answers: bob (on the second) is
	// not in her channel.
	if got := alice.str(`return JSON.stringify(await T.rtm.alice.queryPeersOnlineStatus(["2002"]))`); got != `{"2002":false}` {
		t.Errorf("bob online for alice before the failover: %s, want false (alice on the first live server)", got)
	}
	first.Close()
	alice.waitEvent("alice ConnectionStateChanged RECONNECTING INTERRUPTED")
	alice.waitFor("a second login", `T.count("alice ConnectionStateChanged CONNECTED LOGIN_SUCCESS") === 2`)
	alice.waitFor("alice in bob's channel", `T.rtm.alice.getChannelMemberCount(["lobby"]).then((n) => n.lobby === 2)`)
	if got := alice.str(`return JSON.stringify(await T.rtm.alice.sendMessageToPeer({text: "moved"}, "2002"))`); got != `{"hasPeerReceived":true}` {
		t.Errorf("a peer message after the failover: %s", got)
	}
	bob.waitEvent("bob MessageFromPeer 1001 moved")
}
